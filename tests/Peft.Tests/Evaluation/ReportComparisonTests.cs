using System.Buffers.Binary;
using FluentAssertions;
using Peft.Evaluation;
using Peft.Evaluation.Rouge;
using Peft.Models;
using Peft.Tests.Generation;
using Peft.Tests.Support;
using Xunit;

namespace Peft.Tests.Evaluation;

public sealed class ReportComparisonTests : IDisposable
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private readonly CausalLM _model = TinyModels.Create(TinyModels.Config(vocab: 64), seed: 3);

    public void Dispose() => _model.Dispose();

    /// <summary>Base: the hand-checked predictions (rouge1 F 32/63). Fine-tuned: every prediction equals its (first) reference.</summary>
    private (EvaluationReport Before, EvaluationReport After) Reports(bool perplexity = false, string afterDataset = "toy")
    {
        var options = new EvaluationOptions { ModelName = "tiny-llama", ComputePerplexity = perplexity };
        var before = Evaluator.Create(_model, new ByteCodec(), options)
            .Evaluate(EvaluationFixtures.Dataset(), EvaluationFixtures.Fixed(EvaluationFixtures.Predictions), null, default);
        var after = Evaluator.Create(_model, new ByteCodec(), options with { AdapterName = "lora-r8" })
            .Evaluate(EvaluationFixtures.Dataset(afterDataset), EvaluationFixtures.Fixed(EvaluationFixtures.References.Select(r => r[^1]).ToArray()), null, default);
        return (before, after);
    }

    [Fact]
    public void DeltasAreAfterMinusBefore()
    {
        var (before, after) = Reports();
        var comparison = ReportComparison.Create(before, after);

        comparison.BeforeLabel.Should().Be("base");
        comparison.AfterLabel.Should().Be("lora-r8");
        comparison.Metrics.Select(m => m.Metric).Should().Equal("rouge1", "rouge2", "rougeL", "rougeLsum");
        var rouge1 = comparison.Metrics[0];
        rouge1.Before.Should().BeApproximately(100 * 32.0 / 63, 1e-9);
        rouge1.After.Should().Be(100);
        rouge1.Delta.Should().BeApproximately(100 - 100 * 32.0 / 63, 1e-9);
        rouge1.RelativeDelta.Should().BeApproximately(31.0 / 32, 1e-12); // (100 − 3200/63) / (3200/63)
        rouge1.Improved.Should().BeTrue();

        var markdown = comparison.ToMarkdown();
        markdown.Should().StartWith("# base vs lora-r8\n\n| metric | base | lora-r8 | Δ | Δ % |  |\n| --- | ---: | ---: | ---: | ---: | --- |\n");
        markdown.Should().Contain("| rouge1 F1 ×100 | 50.79 | 100.00 | +49.21 | +96.9 % | ✓ |");
        markdown.Should().Contain("| rouge2 F1 ×100 | 45.71 | 100.00 | +54.29 | +118.8 % | ✓ |");
        markdown.Should().NotContain("Note:");
    }

    [Fact]
    public void PerplexityIsComparedWhenBothReportsHaveIt()
    {
        var (before, after) = Reports(perplexity: true);
        // Same model and references: the perplexities are equal, so the change is zero and not an improvement.
        var comparison = ReportComparison.Create(before, after, "before", "after");

        var ppl = comparison.Metrics[^1];
        ppl.Metric.Should().Be("perplexity");
        ppl.HigherIsBetter.Should().BeFalse();
        ppl.Before.Should().Be(before.Metrics.ReferencePerplexity!.Perplexity);
        ppl.Delta.Should().Be(0);
        ppl.Improved.Should().BeFalse();
        comparison.ToMarkdown().Should().Contain($"| perplexity (lower is better) | {ppl.Before:F2} | {ppl.After:F2} | ±0.00 | ±0.0 % |  |");

        var worse = new MetricDelta("perplexity", 10, 12.5, HigherIsBetter: false);
        worse.Improved.Should().BeFalse();
        worse.RelativeDelta.Should().Be(0.25);
        new MetricDelta("perplexity", 10, 8, HigherIsBetter: false).Improved.Should().BeTrue();
    }

    [Fact]
    public void DifferentDatasetsAreFlagged()
    {
        var (before, after) = Reports(afterDataset: "other");
        ReportComparison.Create(before, after).ToMarkdown()
            .Should().Contain("> **Note:** the reports were made on different data (toy, 3 examples vs other, 3 examples)");
    }

    [Fact]
    public void ReportsWithoutACommonMetricCannotBeCompared()
    {
        var (before, after) = Reports();
        var other = after with { Metrics = after.Metrics with { Rouge = new Dictionary<string, RougeScore> { ["rouge3"] = default } } };
        var act = () => ReportComparison.Create(before, other);
        act.Should().Throw<ArgumentException>().WithMessage("The reports share no metric*");
    }

    [Fact]
    public void SaveWritesTheMarkdownAndAValidPngChart()
    {
        using var dir = new TempDirectory();
        var (before, after) = Reports(perplexity: true);
        var comparison = ReportComparison.Create(before, after);

        comparison.Save(dir.Path, width: 900, height: 500);

        Directory.GetFiles(dir.Path).Select(Path.GetFileName).Should().BeEquivalentTo(["comparison.md", "comparison.png"]);
        File.ReadAllText(dir.File("comparison.md")).Should().Be(comparison.ToMarkdown());
        var png = File.ReadAllBytes(dir.File("comparison.png"));
        png.AsSpan(0, 8).ToArray().Should().Equal(PngSignature);
        System.Text.Encoding.ASCII.GetString(png, 12, 4).Should().Be("IHDR");
        BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)).Should().Be(900);
        BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)).Should().Be(500);
        System.Text.Encoding.ASCII.GetString(png, png.Length - 8, 4).Should().Be("IEND");
        png.Length.Should().BeGreaterThan(10_000, "a rendered chart with bars, labels and a legend, not an empty image");
    }
}
