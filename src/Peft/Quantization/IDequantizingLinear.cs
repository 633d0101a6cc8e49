using static TorchSharp.torch;

namespace Peft.Quantization;

/// <summary>A linear layer whose weight is rebuilt on demand from a quantized form.</summary>
internal interface IDequantizingLinear
{
    /// <summary>The dense weight [out, in] in <paramref name="dtype"/>, on the layer's device (caller owns it).</summary>
    Tensor DequantizeWeight(ScalarType dtype);
}
