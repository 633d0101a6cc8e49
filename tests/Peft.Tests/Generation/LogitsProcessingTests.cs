using FluentAssertions;
using Peft.Generation;
using Xunit;
using static TorchSharp.torch;

namespace Peft.Tests.Generation;

public sealed class LogitsProcessingTests
{
    private static Tensor LogitsOf(params double[] probabilities) => tensor(probabilities.Select(p => (float)Math.Log(p)).ToArray()).unsqueeze(0);

    private static bool[] Kept(Tensor logits) => logits[0].isfinite().data<bool>().ToArray();

    [Theory]
    [InlineData(0.45, new[] { true, false, false, false })]
    [InlineData(0.70, new[] { true, true, false, false })]   // 0.5 + 0.25 = 0.75 reaches 0.70
    [InlineData(0.80, new[] { true, true, true, false })]    // needs the third token: 0.90625
    [InlineData(0.95, new[] { true, true, true, true })]
    [InlineData(0.01, new[] { true, false, false, false })]  // the most likely token always survives
    public void TopPKeepsTheSmallestSetReachingP(double p, bool[] expected)
    {
        using var logits = LogitsOf(0.5, 0.25, 0.15625, 0.09375);
        LogitsProcessing.TopP(logits, p);
        Kept(logits).Should().Equal(expected);
    }

    [Fact]
    public void TopPIgnoresTheVocabularyOrder()
    {
        using var logits = LogitsOf(0.15625, 0.25, 0.09375, 0.5);
        LogitsProcessing.TopP(logits, 0.70);
        Kept(logits).Should().Equal(false, true, false, true);
    }

    [Fact]
    public void TopKKeepsTheKLargest()
    {
        using var logits = tensor(new[] { 1f, 5f, 3f, 4f, 2f }).unsqueeze(0);
        LogitsProcessing.TopK(logits, 2);
        Kept(logits).Should().Equal(false, true, false, true, false);
    }

    [Fact]
    public void RepetitionPenaltyDividesPositiveAndMultipliesNegativeScores()
    {
        using var logits = tensor(new[] { 2f, -2f, 4f, 1f }).unsqueeze(0);
        using var history = tensor(new long[] { 0, 1, 0 }).unsqueeze(0);
        LogitsProcessing.RepetitionPenalty(logits, history, 2.0);
        logits[0].data<float>().ToArray().Should().Equal(1f, -4f, 4f, 1f);
    }

    [Fact]
    public void TopKOfOneSamplesTheArgmax()
    {
        var options = new GenerationOptions { DoSample = true, TopK = 1, Temperature = 3.0 };
        using var generator = new Generator(5);
        for (var i = 0; i < 20; i++)
        {
            using var logits = randn(new long[] { 3, 50 }, generator: generator);
            using var expected = logits.argmax(1);
            using var history = zeros(new long[] { 3, 1 }, ScalarType.Int64);
            using var picked = LogitsProcessing.NextTokens(logits.clone(), history, options, generator);
            picked.data<long>().ToArray().Should().Equal(expected.data<long>().ToArray());
        }
    }

    [Fact]
    public void SamplingFollowsTheDistribution()
    {
        var options = new GenerationOptions { DoSample = true };
        using var generator = new Generator(11);
        var counts = new int[4];
        for (var i = 0; i < 4000; i++)
        {
            using var logits = LogitsOf(0.5, 0.25, 0.125, 0.125);
            using var history = zeros(new long[] { 1, 1 }, ScalarType.Int64);
            using var picked = LogitsProcessing.NextTokens(logits, history, options, generator);
            counts[picked.item<long>()]++;
        }

        counts[0].Should().BeInRange(1850, 2150);
        counts[1].Should().BeInRange(900, 1100);
        counts[2].Should().BeInRange(420, 580);
    }
}
