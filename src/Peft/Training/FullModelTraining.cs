using Peft.Models;
using TorchSharp.Modules;

namespace Peft.Training;

/// <summary>
/// Trains every parameter of a model (pre-training or full fine-tuning, e.g. a small model from scratch); the
/// result is saved as a Hugging Face checkpoint folder.
/// </summary>
public sealed class FullModelTraining : ITrainableModel
{
    private readonly List<(string Name, Parameter Parameter)> _parameters;

    /// <summary>Makes every parameter of <paramref name="model"/> trainable.</summary>
    public FullModelTraining(CausalLM model)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        _parameters = model.named_parameters().Select(p => (p.name, p.parameter)).ToList();
        foreach (var (_, p) in _parameters)
        {
            p.requires_grad = true;
        }
    }

    /// <inheritdoc />
    public CausalLM Model { get; }

    /// <inheritdoc />
    public IReadOnlyList<(string Name, Parameter Parameter)> TrainableParameters() => _parameters;

    /// <summary>Saves the whole model with <see cref="CausalLM.SavePretrained"/>.</summary>
    public void SaveAdapter(string folder) => Model.SavePretrained(folder);

    /// <inheritdoc />
    public void SetTraining(bool training) => Model.train(training);
}
