using static TorchSharp.torch;

namespace Peft.Models;

/// <summary>
/// Rotary position embeddings (RoPE) with the scaling variants of transformers: none, <c>linear</c>,
/// <c>dynamic</c> (NTK) and <c>llama3</c>. Inverse frequencies <c>θ^(−2i/d)</c> are computed in float32 exactly as
/// transformers does; <c>cos</c>/<c>sin</c> are computed once per forward and shared by all layers.
/// </summary>
internal sealed class RotaryEmbedding : IDisposable
{
    private readonly ModelConfig _config;
    private readonly Tensor _baseInvFreq; // [headDim / 2], float32, CPU

    public RotaryEmbedding(ModelConfig config)
    {
        _config = config;
        using var scope = NewDisposeScope();
        _baseInvFreq = InverseFrequencies(config.RopeTheta, config.HeadDim);
        var scaling = config.RopeScaling;
        if (scaling?.Type == "linear")
        {
            var scaled = _baseInvFreq / scaling.Factor;
            _baseInvFreq.Dispose();
            _baseInvFreq = scaled;
        }
        else if (scaling?.Type == "llama3")
        {
            var scaled = Llama3(_baseInvFreq, scaling);
            _baseInvFreq.Dispose();
            _baseInvFreq = scaled;
        }

        _baseInvFreq.DetachFromDisposeScope(); // lives as long as the model
    }

    /// <summary>cos and sin for the given positions.</summary>
    /// <param name="positionIds">[batch, seq] int64.</param>
    /// <param name="dtype">Output dtype (the compute dtype).</param>
    /// <returns>Both [batch, 1, seq, headDim], ready to broadcast over heads.</returns>
    public (Tensor Cos, Tensor Sin) Compute(Tensor positionIds, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var invFreq = _baseInvFreq;
        if (_config.RopeScaling?.Type == "dynamic")
        {
            var seqLen = positionIds.max().item<long>() + 1;
            if (seqLen > _config.MaxPositionEmbeddings)
            {
                var factor = _config.RopeScaling.Factor;
                var d = (double)_config.HeadDim;
                var theta = _config.RopeTheta * Math.Pow(factor * seqLen / _config.MaxPositionEmbeddings - (factor - 1), d / (d - 2));
                invFreq = InverseFrequencies(theta, _config.HeadDim);
            }
        }

        var freqs = positionIds.to(ScalarType.Float32).unsqueeze(-1) * invFreq.to(positionIds.device); // [B, T, D/2]
        var emb = cat(new[] { freqs, freqs }, -1).unsqueeze(1);                                       // [B, 1, T, D]
        var cos = emb.cos().to(dtype);
        var sin = emb.sin().to(dtype);
        return (cos.MoveToOuterDisposeScope(), sin.MoveToOuterDisposeScope());
    }

    /// <summary>Rotates queries or keys: <c>x·cos + rotate_half(x)·sin</c>.</summary>
    /// <param name="x">[batch, heads, seq, headDim]</param>
    /// <param name="cos">[batch, 1, seq, headDim]</param>
    /// <param name="sin">[batch, 1, seq, headDim]</param>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        var half = x.shape[^1] / 2;
        var x1 = x.narrow(-1, 0, half);
        var x2 = x.narrow(-1, half, half);
        var rotated = cat(new[] { x2.neg(), x1 }, -1);
        return (x * cos + rotated * sin).MoveToOuterDisposeScope();
    }

    private static Tensor InverseFrequencies(double theta, int headDim)
    {
        using var scope = NewDisposeScope();
        var exponents = arange(0, headDim, 2, dtype: ScalarType.Int64).to(ScalarType.Float32) / headDim;
        var result = 1.0f / pow(tensor((float)theta), exponents);
        return result.MoveToOuterDisposeScope();
    }

    private static Tensor Llama3(Tensor invFreq, RopeScaling s)
    {
        using var scope = NewDisposeScope();
        var original = (double)s.OriginalMaxPositionEmbeddings!.Value;
        var lowFreqWavelen = original / s.LowFreqFactor;
        var highFreqWavelen = original / s.HighFreqFactor;
        var wavelen = 2 * Math.PI / invFreq;
        var scaled = where(wavelen > lowFreqWavelen, invFreq / s.Factor, invFreq);
        var smooth = (original / wavelen - s.LowFreqFactor) / (s.HighFreqFactor - s.LowFreqFactor);
        var smoothed = (1 - smooth) * scaled / s.Factor + smooth * scaled;
        var isMedium = (wavelen >= highFreqWavelen).logical_and(wavelen <= lowFreqWavelen);
        return where(isMedium, smoothed, scaled).MoveToOuterDisposeScope();
    }

    public void Dispose() => _baseInvFreq.Dispose();
}
