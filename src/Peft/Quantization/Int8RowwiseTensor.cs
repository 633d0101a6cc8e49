using static TorchSharp.torch;

namespace Peft.Quantization;

/// <summary>
/// A weight [out, in] quantized to int8 row by row as in LLM.int8() / bitsandbytes' <c>int8_vectorwise_quant</c>:
/// <c>SCB_r = max_j |w_rj|</c> and <c>CB_rj = round(w_rj · (127 / SCB_r))</c> (round half to even), so
/// <c>ŵ_rj = CB_rj · SCB_r / 127</c> and <c>|w − ŵ| ≤ SCB_r / 254</c>. With an outlier threshold τ &gt; 0, every input
/// column <c>j</c> holding some <c>|w_rj| ≥ τ</c> is kept exactly in <see cref="OutlierValues"/> (in the weight's own
/// 16/32-bit dtype), set to 0 in <see cref="Codes"/> and left out of the row maxima, so a few large columns do not
/// coarsen the scale of every row.
/// </summary>
/// <remarks>
/// bitsandbytes applies its threshold to the activations of an int8 matmul; here activations are never quantized
/// (the forward pass dequantizes the weight and multiplies in the compute dtype), so the threshold is applied to
/// the weight's input columns instead. With the default τ = 6 ordinary weights have no outliers, and the codes and
/// row scales equal bitsandbytes' <c>CB</c> / <c>SCB</c>.
/// </remarks>
public sealed class Int8RowwiseTensor : IDisposable
{
    private static long s_dequantizations;

    internal Int8RowwiseTensor(Tensor codes, Tensor rowAbsmax, Tensor? outlierColumns, Tensor? outlierValues, ScalarType originalDType)
    {
        // Quantized weights live as long as their layer, not as long as the dispose scope they were made in.
        Codes = codes.DetachFromDisposeScope();
        RowAbsmax = rowAbsmax.DetachFromDisposeScope();
        OutlierColumns = outlierColumns?.DetachFromDisposeScope();
        OutlierValues = outlierValues?.DetachFromDisposeScope();
        OriginalDType = originalDType;
    }

    /// <summary>The int8 codes, [out, in] (bitsandbytes' <c>CB</c>).</summary>
    public Tensor Codes { get; }

    /// <summary>The absolute maximum of every row, [out] float32 (bitsandbytes' <c>SCB</c>).</summary>
    public Tensor RowAbsmax { get; }

    /// <summary>The input columns kept in full precision, [k] int64 ascending; null when there are none.</summary>
    public Tensor? OutlierColumns { get; }

    /// <summary>The kept columns, [out, k] in <see cref="OriginalDType"/>; null when there are none.</summary>
    public Tensor? OutlierValues { get; }

    /// <summary>The dtype of the weight that was quantized.</summary>
    public ScalarType OriginalDType { get; }

    /// <summary>The shape [out, in].</summary>
    public long[] Shape => Codes.shape;

    /// <summary>Number of elements.</summary>
    public long ElementCount => Codes.numel();

    /// <summary>The device the tensors live on.</summary>
    public Device Device => Codes.device;

    /// <summary>Bytes of int8 codes (one per element).</summary>
    public long CodeBytes => Codes.numel();

    /// <summary>Bytes of row scales (4 per row).</summary>
    public long ScaleBytes => RowAbsmax.numel() * 4;

    /// <summary>Bytes of the outlier columns and their indices.</summary>
    public long OutlierBytes => OutlierValues is null ? 0 : (OutlierValues.numel() * OutlierValues.ElementSize) + (OutlierColumns!.numel() * 8);

    /// <summary>All bytes held.</summary>
    public long ByteCount => CodeBytes + ScaleBytes + OutlierBytes;

    internal static long Dequantizations => Interlocked.Read(ref s_dequantizations);

    /// <summary>Quantizes a weight row-wise to int8.</summary>
    /// <param name="weight">[out, in], float32/bfloat16/float16/float64; not modified.</param>
    /// <param name="threshold">Outlier threshold τ; 0 or less keeps no outliers.</param>
    /// <returns>The quantized weight on the device of <paramref name="weight"/>.</returns>
    /// <exception cref="ArgumentException">The weight is not a 2-D floating-point tensor or holds NaN/∞.</exception>
    public static Int8RowwiseTensor Quantize(Tensor weight, double threshold = 0)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.dim() != 2 || !weight.is_floating_point() || weight.numel() == 0)
        {
            throw new ArgumentException($"Expected a non-empty 2-D floating-point weight [out, in]; found {weight.dtype} [{string.Join(", ", weight.shape)}].", nameof(weight));
        }

        using var scope = NewDisposeScope();
        using var guard = no_grad();
        var w = weight.detach().to(ScalarType.Float32);
        if (!w.isfinite().all().item<bool>())
        {
            throw new ArgumentException("Cannot quantize a weight that holds NaN or infinite values.", nameof(weight));
        }

        Tensor? columns = null, kept = null;
        if (threshold > 0)
        {
            var found = w.abs().ge(threshold).any(0).nonzero().view(-1);
            if (found.shape[0] > 0)
            {
                columns = found;
                kept = weight.detach().index_select(1, found).clone();
                w = w.index_fill(1, found, 0);
            }
        }

        var rowMax = w.abs().amax(new long[] { 1 });
        var scale = ones_like(rowMax).mul_(127).div_(rowMax).masked_fill_(rowMax.eq(0), 0); // 127 / SCB, as bitsandbytes
        var codes = w.mul(scale.unsqueeze(1)).round_().to(ScalarType.Int8);
        return new Int8RowwiseTensor(codes.MoveToOuterDisposeScope(), rowMax.MoveToOuterDisposeScope(),
            columns?.MoveToOuterDisposeScope(), kept?.MoveToOuterDisposeScope(), weight.dtype);
    }

    /// <summary>Dequantizes: <c>ŵ_rj = CB_rj · SCB_r · (1/127)</c> in float32, with outlier columns restored exactly.</summary>
    /// <param name="dtype">Dtype of the result.</param>
    /// <returns>[out, in] on <see cref="Device"/> (caller owns it).</returns>
    public Tensor Dequantize(ScalarType dtype = ScalarType.Float32)
    {
        Interlocked.Increment(ref s_dequantizations);
        using var scope = NewDisposeScope();
        using var guard = no_grad();
        var w = Codes.mul(RowAbsmax.mul(1f / 127f).unsqueeze(1));
        if (OutlierColumns is not null)
        {
            w.index_copy_(1, OutlierColumns, OutlierValues!.to(ScalarType.Float32));
        }

        return (dtype == ScalarType.Float32 ? w : w.to(dtype)).MoveToOuterDisposeScope();
    }

    /// <summary>A copy on another device.</summary>
    /// <param name="device">The target device.</param>
    public Int8RowwiseTensor To(Device device) =>
        new(Codes.to(device), RowAbsmax.to(device), OutlierColumns?.to(device), OutlierValues?.to(device), OriginalDType);

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        Codes.Dispose();
        RowAbsmax.Dispose();
        OutlierColumns?.Dispose();
        OutlierValues?.Dispose();
    }
}
