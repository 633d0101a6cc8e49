using static TorchSharp.torch;

namespace Peft.Models.Layers;

/// <summary>What a model asks for when it builds one of its linear projections.</summary>
/// <param name="Path">The module path, e.g. <c>model.layers.0.self_attn.q_proj</c>.</param>
/// <param name="InFeatures">Input features.</param>
/// <param name="OutFeatures">Output features.</param>
/// <param name="HasBias">Whether the projection has a bias.</param>
/// <param name="StorageType">The storage dtype chosen for dense weights.</param>
/// <param name="Device">Where the layer lives (the meta device for low-memory loading).</param>
public sealed record LinearSpec(string Path, long InFeatures, long OutFeatures, bool HasBias, ScalarType StorageType, Device Device)
{
    /// <summary>The default: a dense <see cref="Linear"/> with uninitialised weights.</summary>
    public nn.Module<Tensor, Tensor> CreateDense() => Linear.Create(InFeatures, OutFeatures, HasBias, StorageType, Device);
}
