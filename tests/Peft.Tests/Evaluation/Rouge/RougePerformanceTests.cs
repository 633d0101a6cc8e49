using System.Diagnostics;
using FluentAssertions;
using Peft.Evaluation.Rouge;
using Xunit;
using Xunit.Abstractions;

namespace Peft.Tests.Evaluation.Rouge;

/// <summary>
/// ROUGE-L on 1,000 pairs of 60-token texts. The time is printed, not asserted (shared CI machines vary); the
/// target is well under one second (see docs/evaluation.md for measured figures).
/// </summary>
public sealed class RougePerformanceTests(ITestOutputHelper output)
{
    [Fact]
    public void RougeLOnAThousandPairsOfSixtyTokens()
    {
        var random = new Random(1);
        var vocabulary = Enumerable.Range(0, 500).Select(i => $"word{i}{(i % 3 == 0 ? "ing" : i % 3 == 1 ? "ed" : "s")}").ToArray();
        string Text() => string.Join(' ', Enumerable.Range(0, 60).Select(_ => vocabulary[random.Next(vocabulary.Length)]));
        var predictions = Enumerable.Range(0, 1000).Select(_ => Text()).ToArray();
        var references = Enumerable.Range(0, 1000).Select(_ => Text()).ToArray();
        foreach (var useStemmer in new[] { false, true })
        {
            var scorer = RougeScorer.Create(new RougeOptions { RougeTypes = ["rougeL"], UseStemmer = useStemmer });
            scorer.ScoreBatch(predictions[..20], references[..20]); // warm-up (JIT)

            var watch = Stopwatch.StartNew();
            var rows = scorer.ScoreBatch(predictions, references);
            watch.Stop();

            output.WriteLine($"rougeL, 1,000 pairs x 60 tokens, stemmer {(useStemmer ? "on" : "off")}: {watch.Elapsed.TotalMilliseconds:F1} ms");
            rows.Should().HaveCount(1000);
            rows.Should().OnlyContain(r => r["rougeL"].FMeasure > 0 && r["rougeL"].FMeasure < 1);
            // Every text scored against itself gives exactly 1.
            scorer.ScoreBatch(predictions[..50], predictions[..50]).Should().OnlyContain(r => r["rougeL"].FMeasure == 1);
        }
    }
}
