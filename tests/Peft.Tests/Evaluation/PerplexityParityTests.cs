using System.Text.Json;
using FluentAssertions;
using Peft.Evaluation;
using Peft.Models;
using Peft.Runtime;
using Peft.Tests.Support;
using Xunit;

namespace Peft.Tests.Evaluation;

/// <summary>
/// Perplexity against real transformers 4.46 on the hf-parity fixture: <c>loss_hf</c>, <c>perplexity</c> and the
/// per-token NLLs in vectors.json (relative tolerance 1e-4 on perplexities, 1e-4 absolute on NLLs).
/// </summary>
public sealed class PerplexityParityTests : IClassFixture<PerplexityParityTests.Fixture>
{
    public sealed class Fixture : IDisposable
    {
        public Fixture()
        {
            Model = CausalLM.FromPretrained(TestData.HfParity("model"), new ModelLoadOptions { Device = DeviceOption.Cpu });
            Vectors = JsonDocument.Parse(File.ReadAllText(TestData.HfParity("vectors.json")));
        }

        public CausalLM Model { get; }

        public JsonDocument Vectors { get; }

        public JsonElement Base(string seq) => Vectors.RootElement.GetProperty("results").GetProperty("base").GetProperty(seq);

        public long[] Ids(string seq) => Base(seq).GetProperty("input_ids").EnumerateArray().Select(e => e.GetInt64()).ToArray();

        public double[] TokenNlls(string seq) =>
            Base(seq).GetProperty("per_token_nll_float64").EnumerateArray().Select(e => e.GetDouble()).ToArray();

        public void Dispose()
        {
            Model.Dispose();
            Vectors.Dispose();
        }
    }

    private readonly Fixture _f;

    public PerplexityParityTests(Fixture fixture) => _f = fixture;

    [Theory]
    [InlineData("len7")]
    [InlineData("len33")]
    public void PerplexityIsExpOfTheTransformersLoss(string seq)
    {
        var result = Perplexity.ComputeTokens(_f.Model, [_f.Ids(seq)], new PerplexityOptions { KeepTokenNlls = true });

        var loss = _f.Base(seq).GetProperty("loss_hf").GetDouble();
        var perplexity = _f.Base(seq).GetProperty("perplexity").GetDouble();
        var expectedTokens = _f.Base(seq).GetProperty("num_predicted_tokens").GetInt32();
        result.TokenCount.Should().Be(expectedTokens);
        result.WindowCount.Should().Be(1);
        result.MeanNll.Should().BeApproximately(loss, loss * 1e-5);
        result.Perplexity.Should().BeApproximately(Math.Exp(loss), Math.Exp(loss) * 1e-4);
        result.Perplexity.Should().BeApproximately(perplexity, perplexity * 1e-4);
        result.GuidePerplexity.Should().BeApproximately(result.Perplexity, result.Perplexity * 1e-12, "one window: the guide's count is exact");

        var example = result.Examples.Should().ContainSingle().Subject;
        example.Perplexity.Should().Be(result.Perplexity);
        example.TokenCount.Should().Be(expectedTokens);
        example.TokenNlls!.Zip(_f.TokenNlls(seq)).Should().OnlyContain(p => Math.Abs(p.First - p.Second) < 1e-4);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void CorpusPerplexityIsTokenWeightedAcrossTexts(int batchSize)
    {
        var nlls = _f.TokenNlls("len7").Concat(_f.TokenNlls("len33")).ToArray();
        var expected = Math.Exp(nlls.Sum() / nlls.Length); // 38 tokens: 6 + 32

        var result = Perplexity.ComputeTokens(_f.Model, [_f.Ids("len7"), _f.Ids("len33")], new PerplexityOptions { BatchSize = batchSize });

        result.TokenCount.Should().Be(38);
        result.Perplexity.Should().BeApproximately(expected, expected * 1e-4);
        result.TotalNll.Should().BeApproximately(nlls.Sum(), 1e-3);
        // Not the mean of the two perplexities (that would weight the 6-token text like the 32-token one).
        var meanOfPerplexities = result.Examples.Average(e => e.Perplexity);
        Math.Abs(meanOfPerplexities - expected).Should().BeGreaterThan(10);
        result.Examples.Select(e => e.TokenCount).Should().Equal(6, 32);
        result.Examples[0].Perplexity.Should().BeApproximately(1145.3599416850382, 1145.36 * 1e-4);
        result.Examples[1].Perplexity.Should().BeApproximately(795.5503507900721, 795.55 * 1e-4);
    }

    [Fact]
    public void SingleTokenTextScoresNothing()
    {
        var result = Perplexity.ComputeTokens(_f.Model, [_f.Ids("len1"), _f.Ids("len7")]);

        result.Examples[0].TokenCount.Should().Be(0);
        result.Examples[0].WindowCount.Should().Be(0);
        double.IsNaN(result.Examples[0].Perplexity).Should().BeTrue("transformers' loss is NaN with no target token");
        result.TokenCount.Should().Be(6);
        result.Perplexity.Should().BeApproximately(1145.3599416850382, 1145.36 * 1e-4);
    }
}
