using FluentAssertions;
using Peft.Cli;
using Peft.Evaluation;
using Peft.Tests.Support;
using Xunit;

namespace Peft.Tests.Cli;

/// <summary>The README's main job, run exactly as users run it (default settings), end to end.</summary>
public sealed class QuickStartTests
{
    [Fact]
    [Trait("Category", "Long")]
    public void TheFineTunedModelBeatsItsBaseOnPerplexityAndRougeL()
    {
        using var dir = new TempDirectory();
        var output = dir.File("peft-quickstart");

        var result = CliWorkspace.Run("quickstart", "--output", output, "--device", "cpu");

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        result.Output.Should().Contain("the base model is a toy").And.Contain("--model");
        var before = EvaluationReport.Load(Path.Combine(output, "eval-base", "report.json"));
        var after = EvaluationReport.Load(Path.Combine(output, "eval-fine-tuned", "report.json"));
        after.Metrics.Rouge["rougeL"].FMeasure.Should().BeGreaterThan(before.Metrics.Rouge["rougeL"].FMeasure);
        after.Metrics.ReferencePerplexity!.Perplexity.Should().BeLessThan(before.Metrics.ReferencePerplexity!.Perplexity);
        File.Exists(Path.Combine(output, "adapter", "adapter_model.safetensors")).Should().BeTrue();
        File.Exists(Path.Combine(output, "base-model", "model.safetensors")).Should().BeTrue();
        new FileInfo(Path.Combine(output, ReportComparison.ChartFileName)).Length.Should().BeGreaterThan(10_000);
    }

    [Fact]
    public void BadSettingsAreUsageErrors()
    {
        var result = CliWorkspace.Run("quickstart", "--epochs", "0");
        result.ExitCode.Should().Be(ExitCodes.Usage);
        result.Error.Should().Contain("--epochs must be positive");
    }
}
