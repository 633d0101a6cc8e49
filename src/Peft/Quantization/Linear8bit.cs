using Peft.Models.Layers;
using static TorchSharp.torch;

namespace Peft.Quantization;

/// <summary>
/// A frozen linear layer whose weight [out, in] is stored as row-wise int8 (<see cref="Int8RowwiseTensor"/>,
/// LLM.int8()'s <c>CB</c>/<c>SCB</c>), with input columns holding outliers (<c>|w| ≥ threshold</c>) kept in full
/// precision. The forward pass computes <c>y = x·Ŵᵀ + b</c> with <c>Ŵ</c> dequantized to the compute dtype.
/// </summary>
public sealed class Linear8bit : QuantizedLinear
{
    private Int8RowwiseTensor? _weight;

    private Linear8bit(long inFeatures, long outFeatures, bool hasBias, ScalarType biasType, Device device, double threshold, ScalarType? computeType)
        : base("Linear8bit", inFeatures, outFeatures, hasBias, biasType, device, computeType)
    {
        Threshold = threshold;
    }

    /// <summary>The outlier threshold (<c>llm_int8_threshold</c>); 0 keeps no outliers.</summary>
    public double Threshold { get; }

    /// <summary>The quantized weight; null until loaded.</summary>
    public Int8RowwiseTensor? Weight => _weight;

    /// <inheritdoc />
    public override bool IsLoaded => _weight is not null;

    /// <inheritdoc />
    public override long WeightBytes => _weight?.ByteCount ?? 0;

    /// <summary>Creates an empty layer that quantizes its weight when one is loaded (<see cref="QuantizedLinear.LoadCheckpointTensor"/>).</summary>
    /// <param name="inFeatures">Input features.</param>
    /// <param name="outFeatures">Output features.</param>
    /// <param name="hasBias">Whether the layer has a (dense, frozen) bias.</param>
    /// <param name="threshold">Outlier threshold; 0 or less keeps no outliers.</param>
    /// <param name="computeType">Compute dtype; null for the input's dtype.</param>
    /// <param name="biasType">Storage dtype of the bias.</param>
    /// <param name="device">Device of the quantized state; null for the CPU.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is invalid or the threshold is not finite.</exception>
    public static Linear8bit Create(long inFeatures, long outFeatures, bool hasBias, double threshold = 6.0, ScalarType? computeType = null,
        ScalarType biasType = ScalarType.Float32, Device? device = null)
    {
        if (!double.IsFinite(threshold))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The outlier threshold must be a finite number (0 for none).");
        }

        return new Linear8bit(inFeatures, outFeatures, hasBias, biasType, device ?? CPU, Math.Max(0, threshold), computeType);
    }

    /// <summary>Quantizes an existing linear layer (its weight is read, not modified; dispose it yourself).</summary>
    /// <param name="dense">Any linear layer, e.g. a <see cref="Linear"/>.</param>
    /// <param name="threshold">Outlier threshold; 0 or less keeps no outliers.</param>
    /// <param name="computeType">Compute dtype; null for the input's dtype.</param>
    /// <returns>The quantized layer on the device of the dense weight.</returns>
    public static Linear8bit FromLinear(ILinearLayer dense, double threshold = 6.0, ScalarType? computeType = null)
    {
        ArgumentNullException.ThrowIfNull(dense);
        var bias = dense.Bias;
        using var weight = dense.DenseWeight(bias?.dtype ?? ScalarType.Float32);
        var layer = Create(dense.InFeatures, dense.OutFeatures, bias is not null, threshold, computeType, bias?.dtype ?? ScalarType.Float32, weight.device);
        layer.LoadCheckpointTensor("weight", weight);
        if (bias is not null)
        {
            layer.LoadCheckpointTensor("bias", bias);
        }

        return layer;
    }

    /// <inheritdoc />
    private protected override void SetWeightFrom(Tensor weight)
    {
        var quantized = Int8RowwiseTensor.Quantize(weight, Threshold);
        _weight?.Dispose();
        _weight = quantized;
    }

    /// <summary>Replaces the quantized weight with a restored one (taken over).</summary>
    internal void SetQuantized(Int8RowwiseTensor weight)
    {
        _weight?.Dispose();
        _weight = weight;
    }

    /// <inheritdoc />
    public override Tensor DenseWeight(ScalarType dtype) =>
        (_weight ?? throw new InvalidOperationException("The 8-bit weight has not been loaded.")).Dequantize(dtype);

    /// <inheritdoc />
    private protected override void MoveWeight(Device device)
    {
        if (_weight is null)
        {
            return;
        }

        var moved = _weight.To(device);
        _weight.Dispose();
        _weight = moved;
    }

    /// <summary>Frees the quantized state with the module.</summary>
    /// <param name="disposing">True when called from <see cref="IDisposable.Dispose"/>.</param>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _weight?.Dispose();
            _weight = null;
        }

        base.Dispose(disposing);
    }
}
