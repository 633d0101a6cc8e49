using static TorchSharp.torch;

namespace Peft.Checkpoints;

/// <summary>
/// A tensor to be written, described up front and produced only when its bytes are written, so a checkpoint can
/// be exported one tensor at a time (e.g. dequantizing or merging each weight just before it is saved).
/// </summary>
/// <param name="Name">The tensor's key.</param>
/// <param name="DType">Its element type.</param>
/// <param name="Shape">Its shape.</param>
/// <param name="Produce">Returns the tensor; called once, when its bytes are due.</param>
/// <param name="DisposeAfterWrite">Whether the writer disposes the produced tensor after writing it.</param>
public sealed record TensorSource(string Name, ScalarType DType, long[] Shape, Func<Tensor> Produce, bool DisposeAfterWrite)
{
    /// <summary>A source for an existing tensor that stays owned by the caller.</summary>
    public static TensorSource Of(string name, Tensor tensor) => new(name, tensor.dtype, tensor.shape, () => tensor, false);

    /// <summary>Bytes the tensor occupies when stored.</summary>
    public long ByteCount => Shape.Aggregate(1L, (a, b) => a * b) * SafetensorsDType.SizeOf(SafetensorsDType.FromScalarType(DType));
}
