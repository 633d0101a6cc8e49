using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Peft.Models.Layers;

/// <summary>
/// A dense linear layer <c>y = x·Wᵀ + b</c> whose weight may be stored in a narrower dtype than it computes in
/// (e.g. bf16 storage with fp32 compute on CPU): the weight is cast to the input's dtype on the fly.
/// State-dict names are <c>weight</c> [out, in] and <c>bias</c> [out], as in PyTorch.
/// </summary>
public sealed class Linear : nn.Module<Tensor, Tensor>, ILinearLayer
{
    [ComponentName(Name = "weight")]
    private Parameter _weight;

    [ComponentName(Name = "bias")]
    private Parameter? _bias;

    private Linear(string name, Parameter weight, Parameter? bias)
        : base(name)
    {
        _weight = weight;
        _bias = bias;
        RegisterComponents();
    }

    /// <summary>The weight [out, in].</summary>
    public Parameter Weight => _weight;

    /// <inheritdoc />
    public Parameter? Bias => _bias;

    /// <inheritdoc />
    public long InFeatures => _weight.shape[1];

    /// <inheritdoc />
    public long OutFeatures => _weight.shape[0];

    /// <summary>Creates a layer with uninitialised weights (to be loaded or initialised by the caller).</summary>
    /// <param name="inFeatures">Input features.</param>
    /// <param name="outFeatures">Output features.</param>
    /// <param name="hasBias">Whether the layer has a bias.</param>
    /// <param name="dtype">Storage dtype.</param>
    /// <param name="device">Device (the meta device builds without memory).</param>
    public static Linear Create(long inFeatures, long outFeatures, bool hasBias, ScalarType dtype, Device device) =>
        new("Linear",
            new Parameter(empty(new[] { outFeatures, inFeatures }, dtype, device), requires_grad: false),
            hasBias ? new Parameter(empty(new[] { outFeatures }, dtype, device), requires_grad: false) : null);

    /// <summary>Wraps existing tensors (taken over, not copied).</summary>
    /// <param name="weight">[out, in]</param>
    /// <param name="bias">[out] or null.</param>
    public static Linear FromTensors(Tensor weight, Tensor? bias) =>
        new("Linear", new Parameter(weight, requires_grad: false), bias is null ? null : new Parameter(bias, requires_grad: false));

    /// <inheritdoc />
    public Tensor DenseWeight(ScalarType dtype) => _weight.detach().to(dtype, copy: true);

    /// <summary>Applies <c>x·Wᵀ + b</c>.</summary>
    /// <param name="input">[..., in]</param>
    /// <returns>[..., out] in the input's dtype.</returns>
    public override Tensor forward(Tensor input)
    {
        if (_weight.dtype == input.dtype)
        {
            return nn.functional.linear(input, _weight, _bias);
        }

        using var scope = NewDisposeScope();
        var w = _weight.to(input.dtype);
        var b = _bias?.to(input.dtype);
        return nn.functional.linear(input, w, b).MoveToOuterDisposeScope();
    }
}
