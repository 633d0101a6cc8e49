using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Peft.Models;

/// <summary>
/// Multi-head self-attention with rotary positions and grouped-query attention (GQA/MQA): projections
/// <c>q_proj</c> [heads·headDim, hidden], <c>k_proj</c>/<c>v_proj</c> [kvHeads·headDim, hidden] and
/// <c>o_proj</c> [hidden, heads·headDim], scaled by <c>1/√headDim</c>, computed with TorchSharp's fused
/// scaled-dot-product attention. Query head <c>h</c> reads key/value head <c>h / (heads / kvHeads)</c>, as in
/// transformers' <c>repeat_kv</c>.
/// </summary>
public sealed class Attention : nn.Module
{
    [ComponentName(Name = "q_proj")]
    private nn.Module<Tensor, Tensor> _qProj;

    [ComponentName(Name = "k_proj")]
    private nn.Module<Tensor, Tensor> _kProj;

    [ComponentName(Name = "v_proj")]
    private nn.Module<Tensor, Tensor> _vProj;

    [ComponentName(Name = "o_proj")]
    private nn.Module<Tensor, Tensor> _oProj;

    private readonly int _heads;
    private readonly int _kvHeads;
    private readonly int _headDim;
    private readonly int _layerIndex;

    internal Attention(ModelConfig config, int layerIndex, string path, Func<LinearSpecArgs, nn.Module<Tensor, Tensor>> linear)
        : base("Attention")
    {
        _heads = config.NumAttentionHeads;
        _kvHeads = config.NumKeyValueHeads;
        _headDim = config.HeadDim;
        _layerIndex = layerIndex;
        IsSliding = config.UsesSlidingWindow(layerIndex);
        long hidden = config.HiddenSize, q = (long)_heads * _headDim, kv = (long)_kvHeads * _headDim;
        _qProj = linear(new($"{path}.q_proj", hidden, q, config.QkvBias));
        _kProj = linear(new($"{path}.k_proj", hidden, kv, config.QkvBias));
        _vProj = linear(new($"{path}.v_proj", hidden, kv, config.QkvBias));
        _oProj = linear(new($"{path}.o_proj", q, hidden, config.OutputBias));
        RegisterComponents();
    }

    /// <summary>Whether this layer restricts attention to the sliding window.</summary>
    public bool IsSliding { get; }

    /// <summary>Attends.</summary>
    /// <param name="x">[batch, seq, hidden]</param>
    /// <param name="cos">[batch, 1, seq, headDim]</param>
    /// <param name="sin">[batch, 1, seq, headDim]</param>
    /// <param name="masks">The forward's masking decision.</param>
    /// <param name="cache">The KV cache, or null.</param>
    /// <returns>[batch, seq, hidden]</returns>
    internal Tensor Forward(Tensor x, Tensor cos, Tensor sin, AttentionMasks masks, KvCache? cache)
    {
        using var scope = NewDisposeScope();
        long batch = x.shape[0], seq = x.shape[1];
        var q = _qProj.forward(x).view(batch, seq, _heads, _headDim).transpose(1, 2);
        var k = _kProj.forward(x).view(batch, seq, _kvHeads, _headDim).transpose(1, 2);
        var v = _vProj.forward(x).view(batch, seq, _kvHeads, _headDim).transpose(1, 2);
        q = RotaryEmbedding.Apply(q, cos, sin);
        k = RotaryEmbedding.Apply(k, cos, sin);
        if (cache is not null)
        {
            (k, v) = cache.Append(_layerIndex, k, v);
        }

        var mask = masks.For(IsSliding);
        Tensor output;
        var groups = _heads / _kvHeads;
        if (seq == 1 && groups > 1)
        {
            // One new token: fold the query heads of each KV group into the query axis instead of copying K/V.
            var folded = q.reshape(batch, _kvHeads, groups, _headDim);
            output = nn.functional.scaled_dot_product_attention(folded, k, v, mask).reshape(batch, _heads, 1, _headDim);
        }
        else
        {
            if (groups > 1)
            {
                k = RepeatKv(k, groups);
                v = RepeatKv(v, groups);
            }

            output = nn.functional.scaled_dot_product_attention(q, k, v, mask, is_casual: masks.IsCausal(IsSliding));
        }

        var merged = output.transpose(1, 2).reshape(batch, seq, _heads * _headDim);
        return _oProj.forward(merged).MoveToOuterDisposeScope();
    }

    /// <summary>[B, kv, S, D] → [B, kv·groups, S, D], each KV head repeated for its group of query heads.</summary>
    private static Tensor RepeatKv(Tensor x, int groups)
    {
        long b = x.shape[0], kv = x.shape[1], s = x.shape[2], d = x.shape[3];
        return x.unsqueeze(2).expand(b, kv, groups, s, d).reshape(b, kv * groups, s, d);
    }
}

/// <summary>Arguments for building one projection: its path and shape (the builder adds dtype and device).</summary>
/// <param name="Path">Module path.</param>
/// <param name="InFeatures">Input features.</param>
/// <param name="OutFeatures">Output features.</param>
/// <param name="HasBias">Whether it has a bias.</param>
internal readonly record struct LinearSpecArgs(string Path, long InFeatures, long OutFeatures, bool HasBias);
