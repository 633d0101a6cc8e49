using Peft.Adapters;
using Peft.Models;
using TorchSharp.Modules;

namespace Peft.Training;

/// <summary>Trains the active adapter of a <see cref="PeftModel"/> (LoRA, rsLoRA, DoRA; on a dense or quantized base).</summary>
public sealed class AdapterTraining : ITrainableModel
{
    private readonly PeftModel _peft;

    /// <summary>Wraps a model whose adapter is to be trained.</summary>
    public AdapterTraining(PeftModel peft)
    {
        _peft = peft ?? throw new ArgumentNullException(nameof(peft));
    }

    /// <inheritdoc />
    public CausalLM Model => _peft.BaseModel;

    /// <inheritdoc />
    public IReadOnlyList<(string Name, Parameter Parameter)> TrainableParameters() => _peft.TrainableParameters();

    /// <summary>Saves the adapter in PEFT format (adapter_config.json + adapter_model.safetensors).</summary>
    public void SaveAdapter(string folder) => _peft.SaveAdapter(folder);

    /// <inheritdoc />
    public void SetTraining(bool training) => _peft.Train(training);

    /// <summary>The reference scope for DPO: the same model with its adapters disabled.</summary>
    public IDisposable ReferenceScope() => _peft.DisableAdapters();
}
