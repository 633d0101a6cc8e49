using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Peft.Models.Layers;

/// <summary>
/// Root-mean-square layer normalisation as in Llama: <c>y = w ⊙ x / √(mean(x²) + ε)</c>, computed in float32
/// and cast back to the input dtype, exactly like transformers' <c>LlamaRMSNorm</c>. Parameter: <c>weight</c> [hidden].
/// </summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "weight")]
    private Parameter _weight;

    private readonly double _eps;

    /// <summary>Creates the norm with weight initialised to ones.</summary>
    /// <param name="hidden">Normalised dimension.</param>
    /// <param name="eps">ε added to the mean square.</param>
    /// <param name="dtype">Storage dtype.</param>
    /// <param name="device">Device.</param>
    public RmsNorm(long hidden, double eps, ScalarType dtype, Device device)
        : base("RmsNorm")
    {
        _weight = new Parameter(device.type == DeviceType.META ? empty(hidden, dtype, device) : ones(hidden, dtype, device), requires_grad: false);
        _eps = eps;
        RegisterComponents();
    }

    /// <summary>The scale [hidden].</summary>
    public Parameter Weight => _weight;

    /// <summary>Normalises the last dimension.</summary>
    /// <param name="input">[..., hidden]</param>
    /// <returns>[..., hidden] in the input dtype.</returns>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input.dtype == ScalarType.Float32 ? input : input.to(ScalarType.Float32);
        var variance = x.pow(2).mean(new long[] { -1 }, keepdim: true);
        var normed = x * rsqrt(variance + _eps);
        var w = _weight.dtype == input.dtype ? (Tensor)_weight : _weight.to(input.dtype);
        var result = w * (normed.dtype == input.dtype ? normed : normed.to(input.dtype));
        return result.MoveToOuterDisposeScope();
    }
}
