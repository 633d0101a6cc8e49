using static TorchSharp.torch;

namespace Peft.Tests.Quantization;

internal static class TensorAssert
{
    /// <summary>Same dtype, shape and every element bit-equal (NaN-free tensors).</summary>
    public static bool Same(Tensor a, Tensor b)
    {
        if (a.dtype != b.dtype || !a.shape.SequenceEqual(b.shape))
        {
            return false;
        }

        using var scope = NewDisposeScope();
        return a.eq(b).all().item<bool>();
    }

    /// <summary>‖a − b‖ / ‖b‖ in float32.</summary>
    public static float RelativeError(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        var a32 = a.to(ScalarType.Float32);
        var b32 = b.to(ScalarType.Float32);
        return (a32 - b32).norm().div(b32.norm()).item<float>();
    }
}
