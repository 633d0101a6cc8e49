using Peft.Checkpoints;
using Peft.Models;
using Peft.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Peft.Tests.Support;

/// <summary>Trains chosen parameters of a tiny model directly (no adapter), to test the loop on its own.</summary>
internal sealed class FullFineTune : ITrainableModel
{
    private readonly List<(string Name, Parameter Parameter)> _trainable;

    public FullFineTune(CausalLM model, Func<string, bool> trains)
    {
        Model = model;
        _trainable = model.named_parameters().Where(p => trains(p.name)).Select(p => (p.name, p.parameter)).ToList();
        _trainable.ForEach(p => p.Parameter.requires_grad = true);
    }

    public CausalLM Model { get; }

    public IReadOnlyList<(string Name, Parameter Parameter)> TrainableParameters() => _trainable;

    public void SaveAdapter(string folder) =>
        SafetensorsWriter.Write(Path.Combine(folder, "weights.safetensors"), _trainable.Select(p => KeyValuePair.Create(p.Name, (Tensor)p.Parameter)));

    public void SetTraining(bool training) => Model.train(training);

    public Dictionary<string, float[]> Snapshot() => _trainable.ToDictionary(p => p.Name, p => p.Parameter.detach().flatten().data<float>().ToArray());
}
