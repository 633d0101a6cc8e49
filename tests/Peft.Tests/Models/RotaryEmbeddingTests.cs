using FluentAssertions;
using Peft.Models;
using Peft.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace Peft.Tests.Models;

public sealed class RotaryEmbeddingTests
{
    private static (float[] Cos, float[] Sin) At(ModelConfig config, long position)
    {
        using var rope = new RotaryEmbedding(config);
        using var ids = tensor(new[] { position }).unsqueeze(0);
        var (cos, sin) = rope.Compute(ids, ScalarType.Float32);
        using (cos)
        using (sin)
        {
            return (cos.flatten().data<float>().ToArray(), sin.flatten().data<float>().ToArray());
        }
    }

    [Fact]
    public void PlainRopeFollowsThetaPowers()
    {
        var config = TinyModels.Config(); // head_dim 8, theta 10000
        var (cos, sin) = At(config, 3);
        for (var i = 0; i < 4; i++)
        {
            var angle = 3 * Math.Pow(10000, -2.0 * i / 8);
            cos[i].Should().BeApproximately((float)Math.Cos(angle), 1e-6f);
            sin[i].Should().BeApproximately((float)Math.Sin(angle), 1e-6f);
            cos[i + 4].Should().Be(cos[i], "the two halves repeat the frequencies");
        }
    }

    [Fact]
    public void LinearScalingDividesPositions()
    {
        var scaled = At(TinyModels.Config(rope: new RopeScaling("linear", 2)), 6);
        var plain = At(TinyModels.Config(), 3);
        scaled.Cos.Should().Equal(plain.Cos, (a, b) => Math.Abs(a - b) < 1e-6f);
        scaled.Sin.Should().Equal(plain.Sin, (a, b) => Math.Abs(a - b) < 1e-6f);
    }

    [Fact]
    public void Llama3ScalingMatchesTheFrequencyBands()
    {
        // head_dim 8 → inv_freq = 1, 0.1, 0.01, 0.001; original context 16, low 1, high 4, factor 8.
        // wavelen = 2π/f: 6.28 (< 16/4 = 4? no: 6.28 > 4 → not high), 62.8, 628, 6283 (all > 16/1 = 16 except the first).
        // f0: wavelen 6.28 is between high (4) and low (16) → smooth = (16/6.28 − 1)/(4 − 1) = 0.5158;
        //     f = (1 − smooth)·f/8 + smooth·f. Others: wavelen > 16 → f/8.
        var config = TinyModels.Config(rope: new RopeScaling("llama3", 8, 1, 4, 16));
        var (cos, _) = At(config, 1);
        var f0 = 1.0;
        var smooth = (16 / (2 * Math.PI / f0) - 1) / (4 - 1);
        var expected = new[] { (1 - smooth) * f0 / 8 + smooth * f0, 0.1 / 8, 0.01 / 8, 0.001 / 8 };
        for (var i = 0; i < 4; i++)
        {
            cos[i].Should().BeApproximately((float)Math.Cos(expected[i]), 2e-6f, $"frequency {i}");
        }
    }

    [Fact]
    public void DynamicScalingChangesTheBaseOnlyBeyondMaxPositions()
    {
        var dynamic = TinyModels.Config(rope: new RopeScaling("dynamic", 2), maxPositions: 8);
        using var model = TinyModels.Create(dynamic);

        // Within max_position_embeddings: identical to unscaled RoPE.
        using var plainModel = TinyModels.Create(dynamic with { RopeScaling = null });
        using var shortIds = arange(3, 11, dtype: ScalarType.Int64).unsqueeze(0);
        using (var a = model.Forward(shortIds))
        using (var b = plainModel.Forward(shortIds))
        {
            (a.Logits - b.Logits).abs().max().item<float>().Should().Be(0f);
        }

        // Beyond it (12 tokens): identical to plain RoPE with theta' = theta·(factor·len/max − (factor − 1))^(d/(d−2)).
        var theta = 10000 * Math.Pow(2.0 * 12 / 8 - 1, 8.0 / 6);
        using var rebased = TinyModels.Create(dynamic with { RopeScaling = null, RopeTheta = theta });
        using var longIds = arange(3, 15, dtype: ScalarType.Int64).unsqueeze(0);
        using var c = model.Forward(longIds);
        using var d = rebased.Forward(longIds);
        (c.Logits - d.Logits).abs().max().item<float>().Should().BeLessThan(1e-5f);
    }
}
