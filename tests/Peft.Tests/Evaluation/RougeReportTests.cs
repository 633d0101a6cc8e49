using FluentAssertions;
using Peft.Data;
using Peft.Evaluation;
using Peft.Evaluation.Rouge;
using Peft.Tests.Support;
using Xunit;

namespace Peft.Tests.Evaluation;

/// <summary>Scoring existing predictions from files, like rouge_score's command (hand-checked numbers in <see cref="EvaluationFixtures"/>).</summary>
public sealed class RougeReportTests
{
    [Fact]
    public void TwoTextFilesAreScoredLineByLine()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("pred.txt"), "the cat sat\r\nthe dog ran\r\n\r\n"); // CRLF, final delimiter, an empty last prediction
        File.WriteAllText(dir.File("ref.txt"), "the cat sat on the mat\nthe dog ran fast\ncompletely different words");

        var report = RougeReport.FromTextFiles(dir.File("pred.txt"), dir.File("ref.txt"));

        report.Rows.Select(r => r.Prediction).Should().Equal("the cat sat", "the dog ran", "");
        report.Rows.Select(r => r.Line).Should().Equal(1, 2, 3);
        report.Rows[1].Rouge["rouge1"].FMeasure.Should().BeApproximately(6.0 / 7, 1e-12);
        report.Mean["rouge1"].FMeasure.Should().BeApproximately((2.0 / 3 + 6.0 / 7) / 3, 1e-12);
        report.Mean["rouge2"].Recall.Should().BeApproximately((0.4 + 2.0 / 3) / 3, 1e-12);
        report.Source.Should().Be($"{dir.File("pred.txt")} vs {dir.File("ref.txt")}");
    }

    [Fact]
    public void LineCountsMustMatch()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("pred.txt"), "a\nb\nc\n");
        File.WriteAllText(dir.File("ref.txt"), "a\nb\n");
        var act = () => RougeReport.FromTextFiles(dir.File("pred.txt"), dir.File("ref.txt"));
        act.Should().Throw<DataFormatException>()
            .WithMessage($"{dir.File("ref.txt")}:3: expected one line per item in both files; '{dir.File("pred.txt")}' has 3 lines and '{dir.File("ref.txt")}' has 2.");
    }

    [Fact]
    public void JsonLinesWithSeveralReferencesUseTheBestPerMetric()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("preds.jsonl"),
            "{\"prediction\": \"the cat sat\", \"reference\": \"the cat sat on the mat\"}\n"
            + "{\"prediction\": \"the dog ran\", \"references\": [\"a dog ran\", \"the dog ran fast\"]}\n"
            + "{\"prediction\": \"\", \"references\": \"completely different words\"}\n");

        var report = RougeReport.FromJsonLines(dir.File("preds.jsonl"),
            new RougeReportOptions { Rouge = new RougeOptions { RougeTypes = ["rouge1", "rouge2", "rougeL"] } });

        report.Mean.Keys.Should().Equal("rouge1", "rouge2", "rougeL");
        report.Mean["rouge1"].Precision.Should().BeApproximately(2.0 / 3, 1e-12);
        report.Mean["rouge1"].Recall.Should().BeApproximately(5.0 / 12, 1e-12);
        report.Mean["rouge1"].FMeasure.Should().BeApproximately(32.0 / 63, 1e-12);
        report.Mean["rouge2"].FMeasure.Should().BeApproximately(16.0 / 35, 1e-12);
        report.Rows[1].References.Should().HaveCount(2);
        report.Rows.Select(r => r.Line).Should().Equal(1, 2, 3);
    }

    [Fact]
    public void CsvIsRougeScoresPerExampleFormat()
    {
        var report = RougeReport.Create(["the cat sat", ""], [["the cat sat on the mat"], ["x"]],
            new RougeReportOptions { Rouge = new RougeOptions { RougeTypes = ["rougeL", "rouge1"] } });

        report.ToCsv().Should().Be(
            "id,rouge1-P,rouge1-R,rouge1-F,rougeL-P,rougeL-R,rougeL-F\n"
            + "0,1.000000,0.500000,0.666667,1.000000,0.500000,0.666667\n"
            + "1,0.000000,0.000000,0.000000,0.000000,0.000000,0.000000\n");
    }

    [Fact]
    public void CsvWithBootstrapIsRougeScoresAggregateFormat()
    {
        // With one pair every resample is that pair, so low = mid = high = its score.
        var report = RougeReport.Create(["the cat sat"], [["the cat sat on the mat"]],
            new RougeReportOptions { Rouge = new RougeOptions { RougeTypes = ["rouge2", "rouge1"] }, Bootstrap = new BootstrapOptions { Resamples = 10 } });

        report.ToCsv().Should().Be(
            "score_type,low,mid,high\n"
            + "rouge1-R,0.500000,0.500000,0.500000\n"
            + "rouge1-P,1.000000,1.000000,1.000000\n"
            + "rouge1-F,0.666667,0.666667,0.666667\n"
            + "rouge2-R,0.400000,0.400000,0.400000\n"
            + "rouge2-P,1.000000,1.000000,1.000000\n"
            + "rouge2-F,0.571429,0.571429,0.571429\n");
    }

    [Fact]
    public void BootstrapEqualsTheAggregatorOnTheSameRows()
    {
        var options = new BootstrapOptions { Resamples = 200, Seed = 7 };
        var report = RougeReport.Create(EvaluationFixtures.Predictions, EvaluationFixtures.References,
            new RougeReportOptions { Bootstrap = options });

        var expected = BootstrapAggregator.Aggregate(report.Rows.Select(r => r.Rouge), options);
        report.Interval.Should().BeEquivalentTo(expected);
    }

    [Fact]
    public void SaveWritesJsonMarkdownAndCsvThatRoundTrip()
    {
        using var dir = new TempDirectory();
        var report = RougeReport.Create(EvaluationFixtures.Predictions, EvaluationFixtures.References,
            new RougeReportOptions { Bootstrap = new BootstrapOptions { Resamples = 20 } }, "toy");

        report.Save(dir.Path);

        Directory.GetFiles(dir.Path).Select(Path.GetFileName).Should().BeEquivalentTo(["rouge.json", "rouge.md", "rouge.csv"]);
        var loaded = RougeReport.Load(dir.File("rouge.json"));
        loaded.ToJson().Should().Be(File.ReadAllText(dir.File("rouge.json")));
        loaded.Mean["rougeL"].Should().Be(report.Mean["rougeL"]);
        loaded.Interval!["rouge2"].Should().Be(report.Interval!["rouge2"]);
        File.ReadAllText(dir.File("rouge.md")).Should().Contain("| rouge1 | 66.67 | 41.67 | **50.79** |")
            .And.Contain("| 1 | the dog ran | a dog ran (+1) | 85.71 | 80.00 | 85.71 | 85.71 |");
        File.ReadAllText(dir.File("rouge.csv")).Should().StartWith("score_type,low,mid,high\nrouge1-R,");
    }

    [Fact]
    public void MarkdownListsAtMostTheRowsAskedFor()
    {
        var report = RougeReport.Create(Enumerable.Repeat("a b", 5).ToArray(), Enumerable.Repeat(new[] { "a" }, 5).ToArray());
        var markdown = report.ToMarkdown(maxRows: 2);
        markdown.Should().Contain("| 1 | a b | a |").And.NotContain("| 2 | a b |").And.Contain("… and 3 more");
    }
}
