using static TorchSharp.torch;

namespace Peft.Models.Layers;

/// <summary>
/// A module that takes its checkpoint tensors itself instead of having them copied into parameters of the same
/// name — e.g. a quantized linear layer that quantizes the dense <c>weight</c> as it streams in.
/// </summary>
public interface ICheckpointTensorSink
{
    /// <summary>The checkpoint tensors the module expects, by name relative to the module, with their shapes.</summary>
    IReadOnlyList<(string Name, long[] Shape)> ExpectedTensors { get; }

    /// <summary>Receives one checkpoint tensor (a CPU tensor in the checkpoint's dtype, owned by the caller).</summary>
    /// <param name="name">Name relative to the module, e.g. <c>weight</c>.</param>
    /// <param name="value">The tensor as stored in the checkpoint.</param>
    void LoadCheckpointTensor(string name, Tensor value);
}
