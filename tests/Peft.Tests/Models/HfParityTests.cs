using System.Text.Json;
using FluentAssertions;
using Peft.Checkpoints;
using Peft.Models;
using Peft.Runtime;
using Peft.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace Peft.Tests.Models;

/// <summary>Parity with real transformers 4.46 on the hf-parity fixture (tolerance 1e-4 max abs on logits).</summary>
public sealed class HfParityTests : IClassFixture<HfParityTests.Fixture>
{
    public sealed class Fixture : IDisposable
    {
        public Fixture()
        {
            Model = CausalLM.FromPretrained(TestData.HfParity("model"), new ModelLoadOptions { Device = DeviceOption.Cpu });
            Reference = SafetensorsFile.Open(TestData.HfParity("logits.safetensors"));
            Vectors = JsonDocument.Parse(File.ReadAllText(TestData.HfParity("vectors.json")));
        }

        public CausalLM Model { get; }

        public SafetensorsFile Reference { get; }

        public JsonDocument Vectors { get; }

        public JsonElement Base(string seq) => Vectors.RootElement.GetProperty("results").GetProperty("base").GetProperty(seq);

        public long[] Ids(string seq) => Base(seq).GetProperty("input_ids").EnumerateArray().Select(e => e.GetInt64()).ToArray();

        public void Dispose()
        {
            Model.Dispose();
            Reference.Dispose();
            Vectors.Dispose();
        }
    }

    private readonly Fixture _f;

    public HfParityTests(Fixture fixture) => _f = fixture;

    public static TheoryData<string> Sequences => new() { "len1", "len7", "len33" };

    [Theory]
    [MemberData(nameof(Sequences))]
    public void LogitsMatchTransformers(string seq)
    {
        using var ids = tensor(_f.Ids(seq)).unsqueeze(0);
        using var output = _f.Model.Forward(ids);
        using var expected = _f.Reference.ReadTensor($"base/{seq}/logits");

        expected.shape.Should().Equal(ids.shape[1], 256); // stored without the batch axis
        output.Logits.shape.Should().Equal(1, ids.shape[1], 256);
        (output.Logits[0] - expected).abs().max().item<float>().Should().BeLessThan(1e-4f);
    }

    [Theory]
    [MemberData(nameof(Sequences))]
    public void HiddenStatesMatchTransformers(string seq)
    {
        using var ids = tensor(_f.Ids(seq)).unsqueeze(0);
        using var output = _f.Model.Forward(ids, outputHiddenStates: true);

        output.HiddenStates.Should().HaveCount(3);
        for (var i = 0; i < 3; i++)
        {
            using var expected = _f.Reference.ReadTensor($"base/{seq}/hidden_states.{i}");
            (output.HiddenStates![i] - expected).abs().max().item<float>().Should().BeLessThan(1e-4f, $"hidden state {i}");
        }
    }

    [Theory]
    [InlineData("len7")]
    [InlineData("len33")]
    public void LossMatchesTransformers(string seq)
    {
        using var ids = tensor(_f.Ids(seq)).unsqueeze(0);
        using var output = _f.Model.Forward(ids, labels: ids);

        var expected = _f.Base(seq).GetProperty("loss_hf").GetDouble();
        output.Loss!.item<float>().Should().BeApproximately((float)expected, (float)(expected * 1e-5));
    }

    [Fact]
    public void SingleTokenLossIsNaNLikeTransformers()
    {
        using var ids = tensor(_f.Ids("len1")).unsqueeze(0);
        using var output = _f.Model.Forward(ids, labels: ids);
        float.IsNaN(output.Loss!.item<float>()).Should().BeTrue();
    }

    [Theory]
    [InlineData("len7")]
    [InlineData("len33")]
    public void GreedyContinuationMatchesWithAndWithoutCache(string seq)
    {
        var expected = _f.Base(seq).GetProperty("greedy_continuation").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var expectedKv = _f.Base(seq).GetProperty("greedy_continuation_kv_cache").EnumerateArray().Select(e => e.GetInt64()).ToArray();

        // Full recompute each step.
        var tokens = _f.Ids(seq).ToList();
        for (var i = 0; i < expected.Length; i++)
        {
            using var ids = tensor(tokens.ToArray()).unsqueeze(0);
            using var output = _f.Model.Forward(ids);
            tokens.Add(output.Logits[0, -1].argmax().item<long>());
        }

        tokens.Skip(_f.Ids(seq).Length).Should().Equal(expected);

        // With the KV cache: prefill, then one token at a time.
        using var cache = _f.Model.CreateCache(initialCapacity: 4); // small, so the buffers must grow
        var generated = new List<long>();
        using (var prompt = tensor(_f.Ids(seq)).unsqueeze(0))
        using (var first = _f.Model.Forward(prompt, cache: cache))
        {
            generated.Add(first.Logits[0, -1].argmax().item<long>());
        }

        while (generated.Count < expectedKv.Length)
        {
            using var next = tensor(new[] { generated[^1] }).unsqueeze(0);
            using var output = _f.Model.Forward(next, cache: cache);
            generated.Add(output.Logits[0, -1].argmax().item<long>());
        }

        generated.Should().Equal(expectedKv);
        cache.Length.Should().Be(_f.Ids(seq).Length + expectedKv.Length - 1);
    }

    [Fact]
    public void StateDictKeysEqualTheCheckpointKeys()
    {
        using var checkpoint = SafetensorsCheckpoint.Open(TestData.HfParity("model"));
        _f.Model.state_dict().Keys.Should().BeEquivalentTo(checkpoint.Names);
    }
}
