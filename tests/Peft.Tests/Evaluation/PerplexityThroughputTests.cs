using System.Diagnostics;
using FluentAssertions;
using Peft.Evaluation;
using Peft.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Peft.Tests.Evaluation;

/// <summary>
/// Perplexity throughput on small random models. Times are printed, not asserted (shared CI machines vary); see
/// docs/evaluation.md for measured figures.
/// </summary>
public sealed class PerplexityThroughputTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(64, 2, 256, 8)]
    public void ScoredTokensPerSecond(int hidden, int layers, int vocab, int batch)
    {
        using var model = TinyModels.Create(TinyModels.Config(hidden: hidden, layers: layers, heads: 4, kvHeads: 2, vocab: vocab, maxPositions: 256), seed: 1);
        var random = new Random(1);
        var texts = Enumerable.Range(0, 32).Select(_ => (IReadOnlyList<long>)Enumerable.Range(0, 100 + random.Next(200))
            .Select(_ => (long)random.Next(vocab)).ToArray()).ToArray();
        Perplexity.ComputeTokens(model, texts.Take(2).ToArray()); // warm-up

        foreach (var (window, stride) in new[] { (256, 256), (128, 64) })
        {
            var watch = Stopwatch.StartNew();
            var result = Perplexity.ComputeTokens(model, texts, new PerplexityOptions { MaxLength = window, Stride = stride, BatchSize = batch });
            watch.Stop();

            output.WriteLine($"hidden {hidden}, {layers} layers, vocab {vocab}, window {window}, stride {stride}, batch {batch}: "
                + $"{result.TokenCount} tokens scored ({result.ForwardTokens} fed, {result.WindowCount} windows) in {watch.Elapsed.TotalMilliseconds:F0} ms = "
                + $"{result.TokenCount / watch.Elapsed.TotalSeconds:F0} scored tokens/s; PPL {result.Perplexity:F1}");
            result.TokenCount.Should().Be(texts.Sum(t => t.Count - 1) - (stride == window ? texts.Sum(t => (t.Count - 1) / window) : 0));
            double.IsFinite(result.Perplexity).Should().BeTrue();
        }
    }
}
