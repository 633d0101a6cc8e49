using FluentAssertions;
using Peft.Generation;
using Peft.Models;
using Peft.Tests.Support;
using Xunit;

namespace Peft.Tests.Generation;

public sealed class TextGeneratorTests : IDisposable
{
    private readonly CausalLM _model = TinyModels.Create(TinyModels.Config(vocab: 64), seed: 3);
    private readonly ByteCodec _codec = new();

    public void Dispose() => _model.Dispose();

    private TextGenerator Generator => new(_model, _codec);

    private static GenerationOptions Greedy(int tokens = 12) => new() { MaxNewTokens = tokens, StopTokenIds = Array.Empty<long>() };

    [Fact]
    public void GreedyRunsToTheLengthLimit()
    {
        var result = Generator.Generate("Hello", Greedy());
        result.StopReason.Should().Be(StopReason.Length);
        result.TokenIds.Should().HaveCount(12);
        result.PromptTokens.Should().Be(5);
        result.Text.Should().Be(_codec.Decode(result.TokenIds, true));
    }

    [Fact]
    public void GreedyEqualsArgmaxOfTheFullForwardEachStep()
    {
        var result = Generator.Generate("abc", Greedy(6));
        var ids = _codec.Encode("abc", true).ToList();
        foreach (var expected in result.TokenIds)
        {
            using var input = TorchSharp.torch.tensor(ids.ToArray()).unsqueeze(0);
            using var output = _model.Forward(input);
            output.Logits[0, -1].argmax().item<long>().Should().Be(expected);
            ids.Add(expected);
        }
    }

    [Fact]
    public void StopTokenEndsTheSequenceAndIsKept()
    {
        var free = Generator.Generate("Hello", Greedy());
        var stopAt = free.TokenIds[3];
        var firstIndex = free.TokenIds.ToList().IndexOf(stopAt);

        var stopped = Generator.Generate("Hello", Greedy() with { StopTokenIds = new[] { stopAt } });

        stopped.StopReason.Should().Be(StopReason.EndOfSequence);
        stopped.TokenIds.Should().Equal(free.TokenIds.Take(firstIndex + 1));
    }

    [Fact]
    public void StopStringsCutExactly()
    {
        var free = Generator.Generate("Hello", Greedy(16));
        var stop = free.Text!.Substring(5, 3);
        var at = free.Text.IndexOf(stop, StringComparison.Ordinal);

        var cut = Generator.Generate("Hello", Greedy(16) with { StopStrings = new[] { stop } });
        cut.StopReason.Should().Be(StopReason.StopString);
        cut.Text.Should().Be(free.Text[..at]);
        cut.TokenIds.Should().HaveCount(at + 3, "generation stops at the token that completes the stop string");

        var kept = Generator.Generate("Hello", Greedy(16) with { StopStrings = new[] { stop }, IncludeStopString = true });
        kept.Text.Should().Be(free.Text[..(at + 3)]);
    }

    [Fact]
    public void SameSeedSameTextDifferentSeedDifferentText()
    {
        var sampling = new GenerationOptions { MaxNewTokens = 24, DoSample = true, Temperature = 1.5, StopTokenIds = Array.Empty<long>() };
        var a = Generator.Generate("Once", sampling with { Seed = 42 });
        var b = Generator.Generate("Once", sampling with { Seed = 42 });
        var c = Generator.Generate("Once", sampling with { Seed = 43 });
        a.TokenIds.Should().Equal(b.TokenIds);
        c.TokenIds.Should().NotEqual(a.TokenIds);
    }

    [Fact]
    public void TemperatureTowardsZeroEqualsGreedy()
    {
        var greedy = Generator.Generate("Once", Greedy(16));
        Generator.Generate("Once", Greedy(16) with { DoSample = true, Temperature = 0 }).TokenIds.Should().Equal(greedy.TokenIds);
        Generator.Generate("Once", Greedy(16) with { DoSample = true, Temperature = 1e-3, Seed = 1 }).TokenIds.Should().Equal(greedy.TokenIds);
        Generator.Generate("Once", Greedy(16) with { DoSample = true, TopK = 1, Seed = 1 }).TokenIds.Should().Equal(greedy.TokenIds);
    }

    [Fact]
    public void BatchedPromptsEqualSinglePrompts()
    {
        var prompts = new[] { "Hi", "Hello there", "abcdefg" };
        var batched = Generator.Generate(prompts, Greedy(10));
        for (var i = 0; i < prompts.Length; i++)
        {
            batched[i].TokenIds.Should().Equal(Generator.Generate(prompts[i], Greedy(10)).TokenIds, prompts[i]);
        }
    }

    [Fact]
    public async Task StreamingYieldsTheSameTextAndReportsWhyItStopped()
    {
        var options = Greedy(16);
        var expected = Generator.Generate("Hello", options);
        var outcome = new GenerationOutcome();
        var pieces = new List<string>();
        await foreach (var piece in Generator.StreamAsync("Hello", options, outcome))
        {
            pieces.Add(piece);
        }

        string.Concat(pieces).Should().Be(expected.Text);
        pieces.Count.Should().BeGreaterThan(1);
        outcome.StopReason.Should().Be(StopReason.Length);
        outcome.TokenIds.Should().Equal(expected.TokenIds);
    }

    [Fact]
    public void CancellationStopsAtTheNextStep()
    {
        using var cts = new CancellationTokenSource();
        var seen = 0;
        var result = new TokenGenerator(_model).Generate(new[] { _codec.Encode("Hello", true) }, Greedy(200),
            (_, _) =>
            {
                if (++seen == 3)
                {
                    cts.Cancel();
                }

                return true;
            },
            cts.Token)[0];

        result.StopReason.Should().Be(StopReason.Cancelled);
        result.TokenIds.Should().HaveCount(3);
    }

    [Fact]
    public async Task ACancelledStreamEndsWithTheCancelledReason()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var outcome = new GenerationOutcome();
        var pieces = new List<string>();
        await foreach (var piece in Generator.StreamAsync("Hello", Greedy(200), outcome, cancellationToken: cts.Token))
        {
            pieces.Add(piece);
        }

        pieces.Should().BeEmpty();
        outcome.StopReason.Should().Be(StopReason.Cancelled);
        outcome.TokenIds.Should().BeEmpty();
    }

    [Fact]
    public void BadOptionsAreRejected()
    {
        var act = () => Generator.Generate("Hi", new GenerationOptions { TopP = 0 });
        act.Should().Throw<ArgumentException>().WithMessage("TopP must be in (0, 1]; found 0.");
        var empty = () => new TokenGenerator(_model).Generate(new[] { Array.Empty<long>() });
        empty.Should().Throw<ArgumentException>().WithMessage("Every prompt needs at least one token.*");
    }
}
