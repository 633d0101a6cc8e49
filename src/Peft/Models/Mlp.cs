using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Peft.Models;

/// <summary>
/// The SwiGLU feed-forward block: <c>down_proj(silu(gate_proj(x)) ⊙ up_proj(x))</c> with <c>gate_proj</c> and
/// <c>up_proj</c> [intermediate, hidden] and <c>down_proj</c> [hidden, intermediate].
/// </summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "gate_proj")]
    private nn.Module<Tensor, Tensor> _gateProj;

    [ComponentName(Name = "up_proj")]
    private nn.Module<Tensor, Tensor> _upProj;

    [ComponentName(Name = "down_proj")]
    private nn.Module<Tensor, Tensor> _downProj;

    internal Mlp(ModelConfig config, string path, Func<LinearSpecArgs, nn.Module<Tensor, Tensor>> linear)
        : base("Mlp")
    {
        _gateProj = linear(new($"{path}.gate_proj", config.HiddenSize, config.IntermediateSize, config.MlpBias));
        _upProj = linear(new($"{path}.up_proj", config.HiddenSize, config.IntermediateSize, config.MlpBias));
        _downProj = linear(new($"{path}.down_proj", config.IntermediateSize, config.HiddenSize, config.MlpBias));
        RegisterComponents();
    }

    /// <summary>Applies the block.</summary>
    /// <param name="input">[batch, seq, hidden]</param>
    /// <returns>[batch, seq, hidden]</returns>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var gated = nn.functional.silu(_gateProj.forward(input)).mul_(_upProj.forward(input));
        return _downProj.forward(gated).MoveToOuterDisposeScope();
    }
}
