using FluentAssertions;
using Peft.Models;
using Peft.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace Peft.Tests.Models;

/// <summary>
/// Invariants every architecture variant must keep, checked on tiny random models. (Dynamic NTK RoPE is left
/// out of the cache and padding invariants on purpose: its frequencies depend on the longest position in the
/// batch, in transformers too; see <see cref="RotaryEmbeddingTests"/>.)
/// </summary>
public sealed class ModelInvariantTests
{
    public static TheoryData<string, ModelConfig> Variants() => new()
    {
        { "llama GQA untied", TinyModels.Config() },
        { "llama MHA tied", TinyModels.Config(kvHeads: 4, tied: true) },
        { "llama MQA with biases", TinyModels.Config(kvHeads: 1, attentionBias: true) },
        { "mistral sliding window 4", TinyModels.Config("mistral", slidingWindow: 4) },
        { "qwen2 qkv biases, window on layer 1", TinyModels.Config("qwen2", slidingWindow: 5, maxWindowLayers: 1) },
        { "llama3 rope scaling", TinyModels.Config(rope: new RopeScaling("llama3", 8, 1, 4, 16)) },
    };

    private static Tensor RandomIds(long batch, long seq, int vocab, int seed) =>
        randint(3, vocab, new[] { batch, seq }, dtype: ScalarType.Int64, generator: new Generator((ulong)seed));

    private static float MaxDiff(Tensor a, Tensor b) => (a - b).abs().max().item<float>();

    [Theory]
    [MemberData(nameof(Variants))]
    public void KvCacheDecodingEqualsTheFullForward(string name, ModelConfig config)
    {
        using var model = TinyModels.Create(config);
        using var ids = RandomIds(2, 12, config.VocabSize, 5);
        using var full = model.Forward(ids);

        using var cache = model.CreateCache(initialCapacity: 2);
        var pieces = new List<Tensor>();
        foreach (var (start, length) in new[] { (0L, 5L), (5, 1), (6, 3), (9, 1), (10, 1), (11, 1) })
        {
            using var chunk = ids.narrow(1, start, length);
            using var output = model.Forward(chunk, cache: cache);
            pieces.Add(output.Logits.clone());
        }

        using var incremental = cat(pieces, 1);
        MaxDiff(incremental, full.Logits).Should().BeLessThan(1e-4f, name);
        cache.Length.Should().Be(12);
        pieces.ForEach(p => p.Dispose());
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void PaddedBatchRowsEqualUnpaddedSingleRows(string name, ModelConfig config)
    {
        using var model = TinyModels.Create(config);
        using var a = RandomIds(1, 9, config.VocabSize, 11);
        using var b = RandomIds(1, 6, config.VocabSize, 12);
        using var aAlone = model.Forward(a);
        using var bAlone = model.Forward(b);
        using var pad = full(new long[] { 1, 3 }, 0L, dtype: ScalarType.Int64);

        foreach (var left in new[] { true, false })
        {
            using var bPadded = left ? cat(new[] { pad, b }, 1) : cat(new[] { b, pad }, 1);
            using var ids = cat(new[] { a, bPadded }, 0);
            using var mask = ones(2, 9, dtype: ScalarType.Int64);
            mask[1, left ? TensorIndex.Slice(0, 3) : TensorIndex.Slice(6, 9)] = tensor(0L);
            using var batch = model.Forward(ids, mask);

            MaxDiff(batch.Logits[0], aAlone.Logits[0]).Should().BeLessThan(1e-4f, $"{name}, row 0");
            using var bRows = left ? batch.Logits[1].narrow(0, 3, 6) : batch.Logits[1].narrow(0, 0, 6);
            MaxDiff(bRows, bAlone.Logits[0]).Should().BeLessThan(1e-4f, $"{name}, row 1 ({(left ? "left" : "right")} padding)");
            batch.Logits.isnan().any().item<bool>().Should().BeFalse("padding must not produce NaN");
        }
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void PackedSequencesDoNotSeeEachOther(string name, ModelConfig config)
    {
        using var model = TinyModels.Create(config);
        using var a = RandomIds(1, 5, config.VocabSize, 31);
        using var b = RandomIds(1, 4, config.VocabSize, 32);
        using var aAlone = model.Forward(a);
        using var bAlone = model.Forward(b);

        // One row: a (segment 1), b (segment 2), then two padding tokens; positions derived from the segments.
        using var ids = cat(new[] { a, b, zeros(new long[] { 1, 2 }, ScalarType.Int64) }, 1);
        using var mask = tensor(new long[] { 1, 1, 1, 1, 1, 2, 2, 2, 2, 0, 0 }).unsqueeze(0);
        using var packed = model.Forward(ids, mask);

        MaxDiff(packed.Logits[0].narrow(0, 0, 5), aAlone.Logits[0]).Should().BeLessThan(1e-4f, name);
        MaxDiff(packed.Logits[0].narrow(0, 5, 4), bAlone.Logits[0]).Should().BeLessThan(1e-4f, name);
    }

    [Fact]
    public void LeftPaddedBatchedDecodingWithCacheEqualsSingleRows()
    {
        var config = TinyModels.Config();
        using var model = TinyModels.Create(config);
        using var a = RandomIds(1, 7, config.VocabSize, 21);
        using var b = RandomIds(1, 4, config.VocabSize, 22);
        using var next = RandomIds(2, 3, config.VocabSize, 23);

        using var aFull = model.Forward(cat(new[] { a, next.narrow(0, 0, 1) }, 1));
        using var bFull = model.Forward(cat(new[] { b, next.narrow(0, 1, 1) }, 1));

        using var ids = cat(new[] { a, cat(new[] { zeros(new long[] { 1, 3 }, ScalarType.Int64), b }, 1) }, 0);
        var mask = ones(2, 7, dtype: ScalarType.Int64);
        mask[1, TensorIndex.Slice(0, 3)] = tensor(0L);
        using var cache = model.CreateCache();
        using (model.Forward(ids, mask, cache: cache))
        {
        }

        for (var i = 0; i < 3; i++)
        {
            mask = cat(new[] { mask, ones(2, 1, dtype: ScalarType.Int64) }, 1);
            using var step = model.Forward(next.narrow(1, i, 1), mask, cache: cache);
            MaxDiff(step.Logits[0, 0], aFull.Logits[0, 7 + i]).Should().BeLessThan(1e-4f);
            MaxDiff(step.Logits[1, 0], bFull.Logits[0, 4 + i]).Should().BeLessThan(1e-4f);
        }
    }

    [Fact]
    public void SlidingWindowAtLeastTheSequenceEqualsNoWindow()
    {
        using var windowed = TinyModels.Create(TinyModels.Config("mistral", slidingWindow: 10));
        using var plain = TinyModels.Create(TinyModels.Config("mistral", slidingWindow: null));
        using var ids = RandomIds(1, 10, 64, 3);
        using var a = windowed.Forward(ids);
        using var b = plain.Forward(ids);
        MaxDiff(a.Logits, b.Logits).Should().Be(0f);
    }

    [Fact]
    public void SlidingWindowHidesTokensOutsideIt()
    {
        // One layer, window 4: the last position (9) sees positions 6..9 only.
        using var model = TinyModels.Create(TinyModels.Config("mistral", layers: 1, slidingWindow: 4));
        using var ids = RandomIds(1, 10, 64, 4);
        using var baseline = model.Forward(ids);

        using var outside = ids.clone();
        outside[0, 5] = tensor((ids[0, 5].item<long>() + 1) % 64);
        using var changedOutside = model.Forward(outside);
        MaxDiff(changedOutside.Logits[0, 9], baseline.Logits[0, 9]).Should().Be(0f);

        using var inside = ids.clone();
        inside[0, 6] = tensor((ids[0, 6].item<long>() + 1) % 64);
        using var changedInside = model.Forward(inside);
        MaxDiff(changedInside.Logits[0, 9], baseline.Logits[0, 9]).Should().BeGreaterThan(1e-3f);
    }

    [Fact]
    public void TiedModelsHaveNoLmHeadAndUseTheEmbedding()
    {
        using var model = TinyModels.Create(TinyModels.Config(tied: true));
        model.LmHead.Should().BeNull();
        model.state_dict().Keys.Should().NotContain("lm_head.weight").And.Contain("model.embed_tokens.weight");

        using var ids = RandomIds(1, 5, 64, 8);
        using var output = model.Forward(ids, outputHiddenStates: true);
        using var manual = output.HiddenStates![^1].matmul(model.Model.EmbedTokens.Weight.t());
        MaxDiff(output.Logits, manual).Should().BeLessThan(1e-5f);
    }

    [Fact]
    public void Qwen2HasQkvBiasesButNoOutputBias()
    {
        using var model = TinyModels.Create(TinyModels.Config("qwen2"));
        var keys = model.state_dict().Keys.ToList();
        keys.Should().Contain(new[] { "model.layers.0.self_attn.q_proj.bias", "model.layers.0.self_attn.k_proj.bias", "model.layers.0.self_attn.v_proj.bias" });
        keys.Should().NotContain("model.layers.0.self_attn.o_proj.bias");
        keys.Should().NotContain(k => k.Contains("mlp") && k.EndsWith(".bias"));
    }

    [Fact]
    public void ParameterCountMatchesTheConfigFormula()
    {
        foreach (var config in new[] { TinyModels.Config(), TinyModels.Config("qwen2", tied: true), TinyModels.Config(attentionBias: true) })
        {
            using var model = TinyModels.Create(config);
            model.parameters().Sum(p => p.numel()).Should().Be(config.ParameterCount());
        }
    }
}
