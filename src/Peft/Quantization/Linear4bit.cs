using Peft.Models.Layers;
using static TorchSharp.torch;

namespace Peft.Quantization;

/// <summary>
/// A frozen linear layer whose weight [out, in] is stored as NF4 or FP4 in bitsandbytes' blockwise layout
/// (<see cref="Quantized4BitTensor"/>), optionally with double-quantized absmax — the base layer of QLoRA.
/// The forward pass computes <c>y = x·Ŵᵀ + b</c> with <c>Ŵ</c> dequantized to the compute dtype for the duration of
/// the product only.
/// </summary>
/// <example>
/// <code>
/// using var layer = Linear4bit.Create(4096, 4096, hasBias: false, QuantType.Nf4, doubleQuant: true);
/// layer.LoadCheckpointTensor("weight", denseWeight); // quantized here; denseWeight can be freed
/// using var y = layer.forward(x);
/// </code>
/// </example>
public sealed class Linear4bit : QuantizedLinear
{
    private readonly QuantType _type;
    private readonly int _blockSize;
    private readonly bool _doubleQuant;
    private Quantized4BitTensor? _weight;

    private Linear4bit(long inFeatures, long outFeatures, bool hasBias, ScalarType biasType, Device device, QuantType type,
        int blockSize, bool doubleQuant, ScalarType? computeType)
        : base("Linear4bit", inFeatures, outFeatures, hasBias, biasType, device, computeType)
    {
        _type = type;
        _blockSize = blockSize;
        _doubleQuant = doubleQuant;
    }

    /// <summary>The 4-bit data type (of the loaded weight, else the one it will be quantized to).</summary>
    public QuantType QuantType => _weight?.QuantType ?? _type;

    /// <summary>Elements per quantization block (of the loaded weight, else the one it will be quantized with).</summary>
    public int BlockSize => _weight?.BlockSize ?? _blockSize;

    /// <summary>Whether the absmax values are double-quantized (for the loaded weight, else as configured).</summary>
    public bool DoubleQuant => _weight?.IsDoubleQuantized ?? _doubleQuant;

    /// <summary>The quantized weight; null until loaded.</summary>
    public Quantized4BitTensor? Weight => _weight;

    /// <inheritdoc />
    public override bool IsLoaded => _weight is not null;

    /// <inheritdoc />
    public override long WeightBytes => _weight?.ByteCount ?? 0;

    /// <summary>Creates an empty layer that quantizes its weight when one is loaded (<see cref="QuantizedLinear.LoadCheckpointTensor"/>).</summary>
    /// <param name="inFeatures">Input features.</param>
    /// <param name="outFeatures">Output features.</param>
    /// <param name="hasBias">Whether the layer has a (dense, frozen) bias.</param>
    /// <param name="type">NF4 or FP4.</param>
    /// <param name="blockSize">Elements per block: a power of two from 32 to 4096.</param>
    /// <param name="doubleQuant">Double-quantize the absmax values.</param>
    /// <param name="computeType">Compute dtype; null for the input's dtype.</param>
    /// <param name="biasType">Storage dtype of the bias.</param>
    /// <param name="device">Device of the quantized state; null for the CPU.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size or the block size is invalid.</exception>
    public static Linear4bit Create(long inFeatures, long outFeatures, bool hasBias, QuantType type = QuantType.Nf4, int blockSize = 64,
        bool doubleQuant = false, ScalarType? computeType = null, ScalarType biasType = ScalarType.Float32, Device? device = null)
    {
        BlockSizes.Validate(blockSize, nameof(blockSize));
        return new Linear4bit(inFeatures, outFeatures, hasBias, biasType, device ?? CPU, type, blockSize, doubleQuant, computeType);
    }

    /// <summary>Quantizes an existing linear layer (its weight is read, not modified; dispose it yourself).</summary>
    /// <param name="dense">Any linear layer, e.g. a <see cref="Linear"/>.</param>
    /// <param name="type">NF4 or FP4.</param>
    /// <param name="blockSize">Elements per block.</param>
    /// <param name="doubleQuant">Double-quantize the absmax values.</param>
    /// <param name="computeType">Compute dtype; null for the input's dtype.</param>
    /// <returns>The quantized layer on the device of the dense weight.</returns>
    public static Linear4bit FromLinear(ILinearLayer dense, QuantType type = QuantType.Nf4, int blockSize = 64, bool doubleQuant = false,
        ScalarType? computeType = null)
    {
        ArgumentNullException.ThrowIfNull(dense);
        var bias = dense.Bias;
        using var weight = dense.DenseWeight(bias?.dtype ?? ScalarType.Float32);
        var layer = Create(dense.InFeatures, dense.OutFeatures, bias is not null, type, blockSize, doubleQuant, computeType,
            bias?.dtype ?? ScalarType.Float32, weight.device);
        layer.LoadCheckpointTensor("weight", weight);
        if (bias is not null)
        {
            layer.LoadCheckpointTensor("bias", bias);
        }

        return layer;
    }

    /// <summary>Wraps an already quantized weight (taken over).</summary>
    /// <param name="weight">The quantized weight [out, in].</param>
    /// <param name="bias">[out] or null; copied.</param>
    /// <param name="computeType">Compute dtype; null for the input's dtype.</param>
    /// <exception cref="ArgumentException">The weight is not 2-D or the bias does not fit.</exception>
    public static Linear4bit FromQuantized(Quantized4BitTensor weight, Tensor? bias = null, ScalarType? computeType = null)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Shape.Length != 2)
        {
            throw new ArgumentException($"A linear weight is [out, in]; found [{string.Join(", ", weight.Shape)}].", nameof(weight));
        }

        var layer = new Linear4bit(weight.Shape[1], weight.Shape[0], bias is not null, bias?.dtype ?? ScalarType.Float32, weight.Device,
            weight.QuantType, weight.BlockSize, weight.IsDoubleQuantized, computeType);
        if (bias is not null)
        {
            layer.LoadCheckpointTensor("bias", bias);
        }

        layer._weight = weight;
        return layer;
    }

    /// <inheritdoc />
    private protected override void SetWeightFrom(Tensor weight)
    {
        var quantized = Quantized4BitTensor.Quantize(weight, _type, _blockSize, _doubleQuant);
        _weight?.Dispose();
        _weight = quantized;
    }

    /// <summary>Replaces the quantized weight with a restored one (taken over).</summary>
    internal void SetQuantized(Quantized4BitTensor weight)
    {
        _weight?.Dispose();
        _weight = weight;
    }

    /// <inheritdoc />
    public override Tensor DenseWeight(ScalarType dtype) =>
        (_weight ?? throw new InvalidOperationException("The 4-bit weight has not been loaded.")).Dequantize(dtype);

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
