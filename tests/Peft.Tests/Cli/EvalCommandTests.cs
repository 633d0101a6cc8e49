using FluentAssertions;
using Peft.Adapters;
using Peft.Cli;
using Peft.Evaluation;
using Peft.Models;
using Peft.Runtime;
using Peft.Tokenization;
using Xunit;

namespace Peft.Tests.Cli;

/// <summary><c>peft eval rouge|perplexity|generate</c> and <c>--compare</c>: exit codes, tables, and report files that the library reads back.</summary>
public sealed class EvalCommandTests : IClassFixture<CliWorkspace>
{
    private readonly CliWorkspace _ws;

    public EvalCommandTests(CliWorkspace ws) => _ws = ws;

    [Fact]
    public void RougeOfTwoTextFilesWritesJsonMarkdownAndCsv()
    {
        var output = Path.Combine(_ws.PathOf("rouge"), "scores.json");

        var result = CliWorkspace.Run("eval", "rouge", "--predictions", _ws.Predictions, "--references", _ws.References, "--output", output);

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        result.Output.Should().Contain("2 predictions scored");
        // rouge1: "the cat sat" vs "the cat sat on the mat" has P 1, R 0.5, F 2/3; the second pair is identical: mean F = 5/6.
        result.Output.Should().MatchRegex(@"rouge1\s+│\s+100\.00\s+│\s+75\.00\s+│\s+83\.33");
        var report = RougeReport.Load(output);
        report.Mean["rouge1"].FMeasure.Should().BeApproximately(5.0 / 6, 1e-12);
        File.Exists(Path.ChangeExtension(output, ".md")).Should().BeTrue();
        File.ReadAllText(Path.ChangeExtension(output, ".csv")).Should().StartWith("id,rouge1-P,rouge1-R,rouge1-F");
    }

    [Fact]
    public void RougeOfJsonLinesWithBootstrap()
    {
        var file = _ws.File("preds.jsonl", """
            {"prediction": "the cat sat", "references": ["a cat sat", "the cat sat"]}
            {"prediction": "dogs run", "references": ["the dogs run fast"]}
            """);

        var result = CliWorkspace.Run("eval", "rouge", "--jsonl", file, "--stemmer", "--bootstrap", "--bootstrap-seed", "7", "--rouge-types", "rouge1", "rougeL");

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        result.Output.Should().Contain("with stemming").And.Contain("F1 mid").And.Contain("rougeL").And.NotContain("rouge2");
    }

    [Fact]
    public void RougeOfFilesWithDifferentLengthsFailsWithOneLine()
    {
        var three = _ws.File("three.txt", "a\nb\nc\n");

        var result = CliWorkspace.Run("eval", "rouge", "--predictions", _ws.Predictions, "--references", three);

        result.ExitCode.Should().Be(ExitCodes.Failure);
        result.Error.Should().Contain("has 2 lines").And.Contain("has 3");
        result.Error.Trim().Split('\n').Should().HaveCount(1);
    }

    [Fact]
    public void PerplexityMatchesTheLibraryAndWritesAReport()
    {
        var output = Path.Combine(_ws.PathOf("ppl"), "ppl.json");

        var result = CliWorkspace.Run("eval", "perplexity", "--model", _ws.Model, "--adapter", _ws.Adapter, "--data", _ws.TextData,
            "--batch-size", "3", "--output", output, "--device", "cpu");

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        var report = PerplexityReport.Load(output);
        using var peft = PeftModel.FromPretrained(CausalLM.FromPretrained(_ws.Model, new ModelLoadOptions { Device = DeviceOption.Cpu }), _ws.Adapter);
        var expected = Perplexity.Compute(peft.BaseModel, PretrainedTokenizer.FromPretrained(_ws.Model), TextDataset.Load(_ws.TextData));
        report.Perplexity.Should().BeApproximately(expected.Perplexity, 1e-6 * expected.Perplexity);
        report.Tokens.Should().Be(expected.TokenCount);
        report.Texts.Should().HaveCount(8);
        report.Adapter.Should().Be(_ws.Adapter);
        result.Output.Should().Contain(Peft.Cli.Infrastructure.Numbers.Fixed(expected.Perplexity, 3));
    }

    [Fact]
    public void GenerateAndScoreThenCompareTwoReports()
    {
        var folder = _ws.PathOf("evalgen");
        var baseReport = Path.Combine(folder, "base.json");
        var adapterReport = Path.Combine(folder, "lora.json");
        string[] Args(string output, params string[] more) =>
            ["eval", "generate", "--model", _ws.Model, "--data", _ws.EvalData, "--max-new-tokens", "4", "--batch-size", "2", "--perplexity", "--output", output, .. more];

        var a = CliWorkspace.Run(Args(baseReport));
        var b = CliWorkspace.Run(Args(adapterReport, "--adapter", _ws.Adapter));
        var compare = CliWorkspace.Run("eval", "--compare", baseReport, adapterReport, "--output-dir", folder);

        a.ExitCode.Should().Be(ExitCodes.Success, a.ToString());
        b.ExitCode.Should().Be(ExitCodes.Success, b.ToString());
        a.Output.Should().Contain("3 examples").And.Contain("reference perplexity");
        var report = EvaluationReport.Load(adapterReport);
        report.Metrics.Examples.Should().Be(3);
        report.Settings.Adapter.Should().Be(_ws.Adapter);
        report.Settings.Generation.MaxNewTokens.Should().Be(4);
        File.Exists(Path.ChangeExtension(adapterReport, ".md")).Should().BeTrue();
        compare.ExitCode.Should().Be(ExitCodes.Success, compare.ToString());
        compare.Output.Should().Contain("rouge1 F1 ×100").And.Contain("perplexity (lower is better)");
        File.ReadAllText(Path.Combine(folder, ReportComparison.MarkdownFileName)).Should().Contain("rouge1");
        File.ReadAllBytes(Path.Combine(folder, ReportComparison.ChartFileName)).Take(4).Should().Equal(0x89, (byte)'P', (byte)'N', (byte)'G');
        CliWorkspace.Run("eval", "--compare", baseReport, adapterReport, "--output-dir", folder, "--labels", "before-ft", "after-ft").Output
            .Should().Contain("before-ft").And.Contain("after-ft");
    }

    [Fact]
    public void CompareRejectsAFileThatIsNotAnEvaluationReport()
    {
        var rouge = Path.Combine(_ws.PathOf("r"), "r.json");
        CliWorkspace.Run("eval", "rouge", "--predictions", _ws.Predictions, "--references", _ws.References, "--output", rouge).ExitCode.Should().Be(0);

        var result = CliWorkspace.Run("eval", "--compare", rouge, rouge);

        result.ExitCode.Should().Be(ExitCodes.Failure);
        result.Error.Should().Contain("expected a JSON object with \"format\": \"peft-evaluation-report\"");
    }
}
