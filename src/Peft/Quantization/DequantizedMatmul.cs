using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Quantization;

/// <summary>
/// <c>y = x · Ŵᵀ</c> with <c>Ŵ</c> dequantized from a frozen quantized weight, as a custom autograd function:
/// forward dequantizes, multiplies and drops <c>Ŵ</c>; backward dequantizes again and returns only
/// <c>∂L/∂x = ∂L/∂y · Ŵ</c>. Nothing weight-sized is saved for backward, so memory stays at the quantized size
/// however many layers the graph spans (a plain <c>linear(x, Ŵ)</c> would keep every <c>Ŵ</c> alive until backward).
/// </summary>
internal sealed class DequantizedMatmul : autograd.SingleTensorFunction<DequantizedMatmul>
{
    private const string SourceKey = "source";

    /// <inheritdoc />
    public override string Name => "DequantizedMatmul";

    /// <summary>Applies the function.</summary>
    /// <param name="input">[..., in] in the compute dtype.</param>
    /// <param name="source">The quantized layer.</param>
    /// <returns>[..., out]</returns>
    public static Tensor Apply(Tensor input, IDequantizingLinear source) => apply(input, source);

    /// <inheritdoc />
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var input = (Tensor)vars[0];
        var source = (IDequantizingLinear)vars[1];
        ctx.save_data(SourceKey, source);
        ctx.set_materialize_grads(false); // an unused output needs no zero gradient
        using var weight = source.DequantizeWeight(input.dtype);
        return nn.functional.linear(input, weight);
    }

    /// <inheritdoc />
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        if (grad_output is null || grad_output.IsInvalid)
        {
            return new List<Tensor> { null!, null! };
        }

        var source = (IDequantizingLinear)ctx.get_data(SourceKey);
        using var weight = source.DequantizeWeight(grad_output.dtype);
        return new List<Tensor> { grad_output.matmul(weight), null! };
    }
}
