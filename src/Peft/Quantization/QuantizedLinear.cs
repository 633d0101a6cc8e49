using Peft.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Peft.Quantization;

/// <summary>
/// The common part of <see cref="Linear4bit"/> and <see cref="Linear8bit"/>: a frozen linear layer
/// <c>y = x·Ŵᵀ + b</c> whose weight is stored quantized and dequantized on the fly to the compute dtype.
/// Adapters wrap it like any <see cref="ILinearLayer"/>; <see cref="DenseWeight"/> gives the dequantized weight
/// for merging and export. As an <see cref="ICheckpointTensorSink"/> it quantizes the dense <c>weight</c> [out, in]
/// as the checkpoint streams it in and keeps only the quantized form.
/// </summary>
/// <remarks>
/// When the input requires a gradient, the product runs through a custom autograd function whose backward
/// dequantizes the weight a second time and returns only <c>∂L/∂x = ∂L/∂y · Ŵ</c>: no weight-sized tensor is kept
/// for backward, and the quantized tensors are plain tensors, never parameters, so no gradient reaches them.
/// The bias (when present) is an ordinary frozen parameter.
/// </remarks>
public abstract class QuantizedLinear : nn.Module<Tensor, Tensor>, ILinearLayer, ICheckpointTensorSink, IDequantizingLinear
{
    [ComponentName(Name = "bias")]
    private Parameter? _bias;

    private protected QuantizedLinear(string name, long inFeatures, long outFeatures, bool hasBias, ScalarType biasType, Device device, ScalarType? computeType)
        : base(name)
    {
        if (inFeatures < 1 || outFeatures < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(inFeatures), $"A linear layer needs positive sizes; found in {inFeatures}, out {outFeatures}.");
        }

        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Device = device;
        ComputeType = computeType;
        _bias = hasBias ? new Parameter(zeros(new[] { outFeatures }, biasType, device), requires_grad: false) : null;
        RegisterComponents();
    }

    /// <inheritdoc />
    public long InFeatures { get; }

    /// <inheritdoc />
    public long OutFeatures { get; }

    /// <inheritdoc />
    public Parameter? Bias => _bias;

    /// <summary>The device the quantized state lives on.</summary>
    public Device Device { get; private set; }

    /// <summary>
    /// Dtype the product is computed in (bitsandbytes' <c>compute_dtype</c>): the input is cast to it and the result
    /// cast back. Null computes in the input's dtype.
    /// </summary>
    public ScalarType? ComputeType { get; }

    /// <summary>Whether the weight has been loaded (quantized).</summary>
    public abstract bool IsLoaded { get; }

    /// <summary>Bytes held by the quantized weight (bias excluded).</summary>
    public abstract long WeightBytes { get; }

    /// <inheritdoc />
    public IReadOnlyList<(string Name, long[] Shape)> ExpectedTensors =>
        _bias is null
            ? new[] { ("weight", new[] { OutFeatures, InFeatures }) }
            : new[] { ("weight", new[] { OutFeatures, InFeatures }), ("bias", new[] { OutFeatures }) };

    /// <summary>Quantizes a dense weight (or copies the bias) as it arrives from a checkpoint; the input is not kept.</summary>
    /// <param name="name"><c>weight</c> [out, in] or <c>bias</c> [out].</param>
    /// <param name="value">The tensor in its checkpoint dtype (owned by the caller).</param>
    /// <exception cref="ArgumentException">Unknown name or wrong shape.</exception>
    public void LoadCheckpointTensor(string name, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var expected = ExpectedTensors.FirstOrDefault(e => e.Name == name);
        if (expected.Name is null)
        {
            throw new ArgumentException($"{GetType().Name} takes {string.Join(" and ", ExpectedTensors.Select(e => e.Name))}; found '{name}'.", nameof(name));
        }

        if (!value.shape.SequenceEqual(expected.Shape))
        {
            throw new ArgumentException($"Expected '{name}' of shape [{string.Join(", ", expected.Shape)}]; found [{string.Join(", ", value.shape)}].", nameof(value));
        }

        using var guard = no_grad();
        if (name == "bias")
        {
            _bias!.copy_(value);
            return;
        }

        if (value.device == Device)
        {
            SetWeightFrom(value);
        }
        else
        {
            using var onDevice = value.to(Device);
            SetWeightFrom(onDevice);
        }

        NativeHeap.Trim();
    }

    /// <summary>Quantizes <paramref name="weight"/> [out, in] (on <see cref="Device"/>) and replaces the stored weight.</summary>
    private protected abstract void SetWeightFrom(Tensor weight);

    /// <summary>The weight dequantized to <paramref name="dtype"/>, [out, in] on <see cref="Device"/>. The caller owns it.</summary>
    /// <param name="dtype">Element type of the result.</param>
    /// <exception cref="InvalidOperationException">The weight has not been loaded.</exception>
    public abstract Tensor DenseWeight(ScalarType dtype);

    Tensor IDequantizingLinear.DequantizeWeight(ScalarType dtype) => DenseWeight(dtype);

    /// <summary>A dense <see cref="Models.Layers.Linear"/> with the dequantized weight and a copy of the bias.</summary>
    /// <param name="dtype">Storage dtype of the dense layer.</param>
    public Models.Layers.Linear ToDense(ScalarType dtype)
    {
        Tensor? bias = null;
        if (_bias is not null)
        {
            using var detached = _bias.detach();
            bias = detached.to(dtype, copy: true);
        }

        return Models.Layers.Linear.FromTensors(DenseWeight(dtype), bias);
    }

    /// <summary>Applies <c>y = x·Ŵᵀ + b</c>.</summary>
    /// <param name="input">[..., in]</param>
    /// <returns>[..., out] in the input's dtype.</returns>
    /// <exception cref="InvalidOperationException">The weight has not been loaded.</exception>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!IsLoaded)
        {
            throw new InvalidOperationException($"{GetType().Name} [{OutFeatures}, {InFeatures}] has no weight yet: load a checkpoint into it first.");
        }

        using var scope = NewDisposeScope();
        var compute = ComputeType ?? input.dtype;
        var x = input.dtype == compute ? input : input.to(compute);
        Tensor y;
        if (x.requires_grad && is_grad_enabled())
        {
            y = DequantizedMatmul.Apply(x, this);
        }
        else
        {
            using var w = DenseWeight(compute);
            y = nn.functional.linear(x, w);
        }

        if (_bias is { } bias)
        {
            var b = bias.dtype == compute ? bias : bias.to(compute);
            y = bias.requires_grad && is_grad_enabled() ? y.add(b) : y.add_(b);
        }

        if (y.dtype != input.dtype)
        {
            y = y.to(input.dtype);
        }

        return y.MoveToOuterDisposeScope();
    }

    /// <summary>Moves the quantized state along when the module moves to another device.</summary>
    /// <param name="dtype">Dtype change (applies to the bias only; the quantized state keeps its format).</param>
    /// <param name="device">Target device, or null.</param>
    /// <param name="non_blocking">Passed on.</param>
    protected override void _toEpilog(ScalarType? dtype, Device? device, bool non_blocking)
    {
        base._toEpilog(dtype, device, non_blocking);
        if (device is not null && device.type != DeviceType.META && (device.type != Device.type || device.index != Device.index))
        {
            MoveWeight(device);
            Device = device;
        }
    }

    /// <summary>Moves the quantized state to <paramref name="device"/>.</summary>
    private protected abstract void MoveWeight(Device device);
}
