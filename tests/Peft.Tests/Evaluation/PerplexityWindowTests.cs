using FluentAssertions;
using Peft.Evaluation;
using Peft.Models;
using Peft.Tests.Generation;
using Peft.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace Peft.Tests.Evaluation;

/// <summary>Sliding windows, batching and tokenization of <see cref="Perplexity"/> on a tiny random model.</summary>
public sealed class PerplexityWindowTests : IDisposable
{
    private readonly CausalLM _model = TinyModels.Create(TinyModels.Config(vocab: 64, maxPositions: 128), seed: 7);

    public void Dispose() => _model.Dispose();

    private static long[] RandomIds(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => (long)random.Next(64)).ToArray();
    }

    /// <summary>transformers' loss of one window with the given labels, and how many shifted labels it averaged.</summary>
    private (double Loss, int Counted) WindowLoss(long[] ids, long[] labels)
    {
        using var input = tensor(ids).unsqueeze(0);
        using var target = tensor(labels).unsqueeze(0);
        using var output = _model.Forward(input, labels: target);
        return (output.Loss!.item<float>(), labels.Skip(1).Count(l => l != -100));
    }

    [Fact]
    public void StrideEqualToTheWindowIsDisjointChunks()
    {
        var ids = RandomIds(50, seed: 1);
        double sum = 0;
        var tokens = 0;
        for (var begin = 0; begin < ids.Length; begin += 16) // chunks of 16, 16, 16 and 2 tokens
        {
            var chunk = ids[begin..Math.Min(begin + 16, ids.Length)];
            var (loss, counted) = WindowLoss(chunk, chunk);
            sum += loss * counted;
            tokens += counted;
        }

        var result = Perplexity.ComputeTokens(_model, [ids], new PerplexityOptions { MaxLength = 16, Stride = 16 });

        tokens.Should().Be(46, "the first token of each chunk has no context and is not scored");
        result.TokenCount.Should().Be(46);
        result.WindowCount.Should().Be(4);
        result.TotalNll.Should().BeApproximately(sum, sum * 1e-5);
        result.Perplexity.Should().BeApproximately(Math.Exp(sum / tokens), Math.Exp(sum / tokens) * 1e-5);
        result.GuidePerplexity.Should().BeApproximately(result.Perplexity, result.Perplexity * 1e-12, "disjoint chunks: the guide counts exactly");
        result.ForwardTokens.Should().Be(50);
    }

    [Theory]
    [InlineData(50, 16, 6)]
    [InlineData(50, 16, 15)]
    [InlineData(37, 10, 3)]
    [InlineData(33, 8, 1)]
    public void SlidingWindowMatchesTheGuideLoop(int length, int window, int stride)
    {
        var ids = RandomIds(length, seed: length + stride);

        // The Hugging Face guide's loop, literally: labels −100 on the overlap, weight = valid labels − 1.
        double guideSum = 0, exactSum = 0;
        int guideTokens = 0, exactTokens = 0, windows = 0, previousEnd = 0;
        for (var begin = 0; begin < length; begin += stride)
        {
            var end = Math.Min(begin + window, length);
            var trgLen = end - previousEnd;
            var input = ids[begin..end];
            var target = input.Select((t, i) => i < input.Length - trgLen ? -100L : t).ToArray();
            var (loss, counted) = WindowLoss(input, target);
            var lossTokens = target.Count(t => t != -100) - 1; // the guide's num_loss_tokens
            guideSum += loss * lossTokens;
            guideTokens += lossTokens;
            exactSum += loss * counted;
            exactTokens += counted;
            windows++;
            previousEnd = end;
            if (end == length)
            {
                break;
            }
        }

        var result = Perplexity.ComputeTokens(_model, [ids],
            new PerplexityOptions { MaxLength = window, Stride = stride, KeepTokenNlls = true });

        exactTokens.Should().Be(length - 1, "with overlap every token after the first is scored once");
        result.TokenCount.Should().Be(exactTokens);
        result.Examples[0].TokenNlls.Should().HaveCount(length - 1);
        result.WindowCount.Should().Be(windows);
        result.TotalNll.Should().BeApproximately(exactSum, exactSum * 1e-5);
        result.Perplexity.Should().BeApproximately(Math.Exp(exactSum / exactTokens), result.Perplexity * 1e-5);
        var guide = Math.Exp(guideSum / guideTokens);
        result.GuidePerplexity.Should().BeApproximately(guide, guide * 1e-5);
        guideTokens.Should().BeLessThan(exactTokens, "the guide subtracts one token per overlapping window");
    }

    [Fact]
    public void EachScoredTokenEqualsItsLogSoftmaxUnderTheWindowContext()
    {
        var ids = RandomIds(20, seed: 5);
        var result = Perplexity.ComputeTokens(_model, [ids], new PerplexityOptions { MaxLength = 8, Stride = 4, KeepTokenNlls = true });

        // Token p is scored in the window that first covers it beyond the previous window's end.
        // Windows: [0,8) scores 1..7, [4,12) scores 8..11, [8,16) scores 12..15, [12,20) scores 16..19.
        var expected = new List<double>();
        foreach (var (begin, from, end) in new[] { (0, 1, 8), (4, 8, 12), (8, 12, 16), (12, 16, 20) })
        {
            using var input = tensor(ids[begin..end]).unsqueeze(0);
            using var output = _model.Forward(input);
            using var logp = output.Logits[0].log_softmax(-1);
            for (var p = from; p < end; p++)
            {
                expected.Add(-logp[p - begin - 1, ids[p]].item<float>());
            }
        }

        result.Examples[0].TokenNlls.Should().HaveCount(19);
        result.Examples[0].TokenNlls!.Zip(expected).Should().OnlyContain(p => Math.Abs(p.First - p.Second) < 1e-5);
    }

    [Fact]
    public void BatchingAndPaddingDoNotChangePerTextResults()
    {
        int[] lengths = [3, 9, 16, 40, 2, 25, 1, 17];
        var sequences = lengths.Select((n, i) => (IReadOnlyList<long>)RandomIds(n, seed: 100 + i)).ToArray();
        var options = new PerplexityOptions { MaxLength = 16, Stride = 5 };

        var one = Perplexity.ComputeTokens(_model, sequences, options with { BatchSize = 1 });
        foreach (var batch in new[] { 3, 16 })
        {
            var batched = Perplexity.ComputeTokens(_model, sequences, options with { BatchSize = batch });
            batched.WindowCount.Should().Be(one.WindowCount);
            for (var i = 0; i < lengths.Length; i++)
            {
                batched.Examples[i].TokenCount.Should().Be(one.Examples[i].TokenCount);
                batched.Examples[i].TotalNll.Should().BeApproximately(one.Examples[i].TotalNll, 1e-5 * (1 + one.Examples[i].TotalNll));
            }

            batched.Perplexity.Should().BeApproximately(one.Perplexity, one.Perplexity * 1e-6);
        }

        // Each text alone gives the same figures as in the corpus.
        for (var i = 0; i < lengths.Length; i++)
        {
            var alone = Perplexity.ComputeTokens(_model, [sequences[i]], options);
            alone.Examples[0].TotalNll.Should().BeApproximately(one.Examples[i].TotalNll, 1e-5 * (1 + one.Examples[i].TotalNll));
        }

        one.Examples.Select(e => e.TokenCount).Should().Equal(2, 8, 15, 39, 1, 24, 0, 16);
        one.TokenCount.Should().Be(105);
    }

    [Fact]
    public void RightPaddedRowsNeedNoAttentionMask()
    {
        var a = RandomIds(10, seed: 1);
        var b = RandomIds(4, seed: 2);
        using var batch = tensor(a.Concat(b).Concat(new long[6]).ToArray(), new long[] { 2, 10 });
        using var mask = tensor(Enumerable.Repeat(1L, 14).Concat(new long[6]).ToArray(), new long[] { 2, 10 });
        using var alone = _model.Forward(tensor(b).unsqueeze(0));
        using var unmasked = _model.Forward(batch);
        using var masked = _model.Forward(batch, mask);

        using var real = unmasked.Logits[1].narrow(0, 0, 4);
        (real - alone.Logits[0]).abs().max().item<float>().Should().BeLessThan(1e-5f);
        (real - masked.Logits[1].narrow(0, 0, 4)).abs().max().item<float>().Should().BeLessThan(1e-5f);
    }

    [Fact]
    public void TextsAreEncodedWithTheCodecAndAddBosPrependsTheModelsBos()
    {
        var codec = new ByteCodec();
        string[] texts = ["Hello world", "abc", "The quick brown fox jumps over the lazy dog."];
        var encoded = texts.Select(t => (IReadOnlyList<long>)codec.Encode(t, true)).ToArray();

        var fromText = Perplexity.Compute(_model, codec, texts);
        var fromTokens = Perplexity.ComputeTokens(_model, encoded);
        fromText.TotalNll.Should().Be(fromTokens.TotalNll);
        fromText.Examples.Select(e => e.TokenCount).Should().Equal(10, 2, 43);

        var withBos = Perplexity.Compute(_model, codec, texts, new PerplexityOptions { AddBos = true });
        var bosTokens = encoded.Select(e => (IReadOnlyList<long>)new long[] { 1 }.Concat(e).ToArray()).ToArray();
        withBos.Examples.Select(e => e.TokenCount).Should().Equal(11, 3, 44);
        withBos.TotalNll.Should().BeApproximately(Perplexity.ComputeTokens(_model, bosTokens).TotalNll, 1e-9);
        // "b" is id 1 = BOS here, so "bcd" already starts with it and gets no second one.
        Perplexity.Compute(_model, codec, ["bcd"], new PerplexityOptions { AddBos = true }).TokenCount.Should().Be(2);
    }

    [Fact]
    public void ConditionalScoresOnlyTheContinuation()
    {
        var codec = new ByteCodec();
        var prompt = codec.Encode("Hello", true).ToArray();
        var continuation = codec.Encode(" world!", false).ToArray();
        var ids = prompt.Concat(continuation).ToArray();
        var labels = ids.Select((t, i) => i < prompt.Length ? -100L : t).ToArray();
        var (loss, counted) = WindowLoss(ids, labels);

        var result = Perplexity.ComputeConditional(_model, codec, ["Hello", "Hi"], [" world!", " there"]);

        counted.Should().Be(7);
        result.Examples[0].TokenCount.Should().Be(7);
        result.Examples[0].MeanNll.Should().BeApproximately(loss, loss * 1e-5);
        result.Examples[1].TokenCount.Should().Be(6);
        result.TokenCount.Should().Be(13);
        result.GuidePerplexity.Should().BeNull();
    }

    [Fact]
    public void ConditionalWithALongPromptSlidesTheWindowOverIt()
    {
        var codec = new ByteCodec();
        var prompt = new string('a', 30) + "bcdefghij";
        var result = Perplexity.ComputeConditional(_model, codec, [prompt], ["klmnop"],
            new PerplexityOptions { MaxLength = 16, Stride = 8 });

        // 45 tokens; windows start every 8: [0,16), [8,24) and [16,32) hold only prompt tokens and are not run;
        // [24,40) scores token 39 (the first of the continuation) and [32,45) scores 40..44.
        result.TokenCount.Should().Be(6);
        result.WindowCount.Should().Be(2);
        var ids = codec.Encode(prompt + "klmnop", false).ToArray();
        var (first, firstCount) = WindowLoss(ids[24..40], ids[24..40].Select((t, i) => i < 15 ? -100L : t).ToArray());
        var (second, secondCount) = WindowLoss(ids[32..45], ids[32..45].Select((t, i) => i < 8 ? -100L : t).ToArray());
        (firstCount + secondCount).Should().Be(6);
        result.TotalNll.Should().BeApproximately(first * firstCount + second * secondCount, result.TotalNll * 1e-5);
    }

    [Fact]
    public void DefaultsFollowTheModelAndRestoreTrainingMode()
    {
        using var big = TinyModels.Create(TinyModels.Config(vocab: 64, layers: 1, maxPositions: 4096), seed: 2);
        big.train();
        var result = Perplexity.ComputeTokens(big, [RandomIds(5, 1)]);
        result.MaxLength.Should().Be(PerplexityOptions.DefaultMaxLengthCap);
        result.Stride.Should().Be(1024);
        big.training.Should().BeTrue();

        Perplexity.ComputeTokens(_model, [RandomIds(5, 1)]).MaxLength.Should().Be(128);
    }

    [Theory]
    [InlineData(16, 0, 8, "Stride must be between 1 and the window length 16; found 0")]
    [InlineData(16, 17, 8, "Stride must be between 1 and the window length 16; found 17")]
    [InlineData(1, 1, 8, "MaxLength must be at least 2 tokens; found 1")]
    [InlineData(16, 8, 0, "BatchSize must be at least 1; found 0")]
    public void BadOptionsAreRejected(int window, int stride, int batch, string message)
    {
        var act = () => Perplexity.ComputeTokens(_model, [RandomIds(5, 1)],
            new PerplexityOptions { MaxLength = window, Stride = stride, BatchSize = batch });
        act.Should().Throw<ArgumentException>().WithMessage($"*{message}*");
    }

    [Fact]
    public void TokenIdsOutsideTheVocabularyAreRejected()
    {
        var act = () => Perplexity.ComputeTokens(_model, [new long[] { 1, 2, 64 }]);
        act.Should().Throw<ArgumentException>().WithMessage("*token id 64 at position 2*[0, 64)*");
    }
}
