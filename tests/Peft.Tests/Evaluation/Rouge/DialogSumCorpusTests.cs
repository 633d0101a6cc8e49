using System.Text.Json;
using FluentAssertions;
using Peft.Evaluation.Rouge;
using Xunit;
using Xunit.Abstractions;

namespace Peft.Tests.Evaluation.Rouge;

/// <summary>
/// Corpus check against a published table: DialogSum's BART-large baseline outputs scored against the first
/// reference (summary1) of the 500 test dialogues. DialogSum is CC BY-NC-SA 4.0, so it is never copied into this
/// repository: the test reads it from <c>shared/data/dialogsum</c> beside the repository (found by walking up from
/// the test assembly) and is skipped, with the reason printed, where that folder is absent.
/// </summary>
public sealed class DialogSumCorpusTests(ITestOutputHelper output)
{
    private const string PredictionsFile = "Baseline_test_output.txt";
    private const string ReferencesFile = "DialogSum_Data_dialogsum.test.jsonl";

    [SkippableFact]
    public void StemmedMeanF1ReproducesThePublishedBaseline()
    {
        var folder = FindDataFolder();
        Skip.If(folder is null,
            "DialogSum data not found: no ancestor of the test assembly has shared/data/dialogsum " +
            $"(searched upward from {AppContext.BaseDirectory}). The data is CC BY-NC-SA and is not in the repository.");

        var predictions = File.ReadAllLines(Path.Combine(folder!, PredictionsFile));
        var references = File.ReadLines(Path.Combine(folder!, ReferencesFile))
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("summary1").GetString()!)
            .ToArray();
        predictions.Should().HaveCount(500, "the baseline has one output per test dialogue");
        references.Should().HaveCount(500);

        var scorer = RougeScorer.Create(new RougeOptions { UseStemmer = true });
        var rows = scorer.ScoreBatch(predictions, references);
        var mean = RougeAggregate.Mean(rows);
        var bootstrap = BootstrapAggregator.Aggregate(rows, new BootstrapOptions { Seed = 42 });

        foreach (var (name, score) in mean)
        {
            var interval = bootstrap[name];
            output.WriteLine(
                $"{name,-10} mean F1 {100 * score.FMeasure:F4}  bootstrap F1 low/mid/high " +
                $"{100 * interval.Low.FMeasure:F4} / {100 * interval.Mid.FMeasure:F4} / {100 * interval.High.FMeasure:F4}");
        }

        // Published (FACTS.md §6, DialogSum baseline, first reference, stemming): R1/R2/RL = 45.91/21.32/38.71.
        (100 * mean["rouge1"].FMeasure).Should().BeApproximately(45.91, 0.01);
        (100 * mean["rouge2"].FMeasure).Should().BeApproximately(21.32, 0.01);
        (100 * mean["rougeL"].FMeasure).Should().BeApproximately(38.71, 0.01);
        // Every text is a single line, so the summary-level LCS has one sentence per side and equals rougeL.
        mean["rougeLsum"].FMeasure.Should().BeApproximately(mean["rougeL"].FMeasure, 1e-12);

        // rouge_score's aggregate() after np.random.seed(42) on NumPy 1.24.2 gives, for rouge1 F1,
        // low/mid/high = 0.4455989499066723 / 0.45895277250209465 / 0.4724390485924447.
        bootstrap["rouge1"].Low.FMeasure.Should().BeApproximately(0.4455989499066723, 1e-9);
        bootstrap["rouge1"].Mid.FMeasure.Should().BeApproximately(0.45895277250209465, 1e-9);
        bootstrap["rouge1"].High.FMeasure.Should().BeApproximately(0.4724390485924447, 1e-9);
        foreach (var (name, interval) in bootstrap)
        {
            interval.Low.FMeasure.Should().BeLessThan(interval.Mid.FMeasure, name);
            interval.Mid.FMeasure.Should().BeLessThan(interval.High.FMeasure, name);
            interval.Mid.FMeasure.Should().BeApproximately(mean[name].FMeasure, 0.002, name);
        }
    }

    /// <summary>The first <c>shared/data/dialogsum</c> found in the test assembly's folder or one of its ancestors.</summary>
    private static string? FindDataFolder()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "shared", "data", "dialogsum");
            if (File.Exists(Path.Combine(candidate, PredictionsFile)) && File.Exists(Path.Combine(candidate, ReferencesFile)))
            {
                return candidate;
            }
        }

        return null;
    }
}
