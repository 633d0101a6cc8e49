using TorchSharp;

namespace Peft.Checkpoints;

/// <summary>One tensor's entry in a safetensors header.</summary>
/// <param name="Name">The tensor's key, e.g. <c>model.layers.0.self_attn.q_proj.weight</c>.</param>
/// <param name="DType">The dtype name as stored, e.g. <c>F32</c> or <c>BF16</c>.</param>
/// <param name="Shape">The shape; empty for a scalar.</param>
/// <param name="Begin">Start of the tensor's bytes, relative to the start of the data section.</param>
/// <param name="End">End (exclusive) of the tensor's bytes, relative to the start of the data section.</param>
public sealed record SafetensorsTensorInfo(string Name, string DType, long[] Shape, long Begin, long End)
{
    /// <summary>The TorchSharp element type.</summary>
    public torch.ScalarType ScalarType => SafetensorsDType.ToScalarType(DType);

    /// <summary>Number of elements (1 for a scalar).</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>Size of the stored bytes.</summary>
    public long ByteCount => End - Begin;

    /// <summary>The shape as text, e.g. <c>[64, 128]</c>.</summary>
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
