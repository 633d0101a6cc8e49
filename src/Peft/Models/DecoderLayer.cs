using Peft.Models.Layers;
using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Peft.Models;

/// <summary>
/// One pre-norm decoder layer: <c>h = x + self_attn(input_layernorm(x))</c>, then
/// <c>h + mlp(post_attention_layernorm(h))</c>.
/// </summary>
public sealed class DecoderLayer : nn.Module
{
    [ComponentName(Name = "self_attn")]
    private Attention _selfAttn;

    [ComponentName(Name = "mlp")]
    private nn.Module<Tensor, Tensor> _mlp;

    [ComponentName(Name = "input_layernorm")]
    private RmsNorm _inputLayernorm;

    [ComponentName(Name = "post_attention_layernorm")]
    private RmsNorm _postAttentionLayernorm;

    internal DecoderLayer(ModelConfig config, int index, string path, ScalarType storage, Device device, Func<LinearSpecArgs, nn.Module<Tensor, Tensor>> linear)
        : base("DecoderLayer")
    {
        _selfAttn = new Attention(config, index, $"{path}.self_attn", linear);
        _mlp = new Mlp(config, $"{path}.mlp", linear);
        _inputLayernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps, storage, device);
        _postAttentionLayernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps, storage, device);
        RegisterComponents();
    }

    /// <summary>The attention block.</summary>
    public Attention SelfAttention => _selfAttn;

    /// <summary>Runs the layer.</summary>
    /// <param name="x">[batch, seq, hidden]</param>
    /// <param name="cos">[batch, 1, seq, headDim]</param>
    /// <param name="sin">[batch, 1, seq, headDim]</param>
    /// <param name="masks">The forward's masking decision.</param>
    /// <param name="cache">The KV cache, or null.</param>
    /// <returns>[batch, seq, hidden]</returns>
    internal Tensor Forward(Tensor x, Tensor cos, Tensor sin, AttentionMasks masks, KvCache? cache)
    {
        using var scope = NewDisposeScope();
        var h = x + _selfAttn.Forward(_inputLayernorm.forward(x), cos, sin, masks, cache);
        var result = h + _mlp.forward(_postAttentionLayernorm.forward(h));
        return result.MoveToOuterDisposeScope();
    }
}
