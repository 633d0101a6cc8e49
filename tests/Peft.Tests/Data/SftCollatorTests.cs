using FluentAssertions;
using Peft.Data;
using Peft.Tests.Generation;
using Peft.Tokenization;
using Xunit;

namespace Peft.Tests.Data;

/// <summary>Label masking, EOS, padding and packing on hand-checked tiny examples (ids: a=0, b=1, …, space=52, EOS=59).</summary>
public sealed class SftCollatorTests
{
    private const long Eos = 59;
    private static readonly ByteCodec Codec = new() { EndOfSequenceIds = new[] { Eos } };
    private const long X = SftCollator.IgnoreIndex;

    private static long[] Row(TorchSharp.torch.Tensor t, int row) => t[row].data<long>().ToArray();

    [Fact]
    public void PromptTokensCarryNoLossAndEosIsAppended()
    {
        var collator = new SftCollator(Codec);
        var t = collator.Tokenize(SftExample.FromPromptCompletion("ab", "cd"));
        t.InputIds.Should().Equal(0, 1, 2, 3, Eos);
        t.Labels.Should().Equal(X, X, 2, 3, Eos);
    }

    [Fact]
    public void WholeSequenceLossTrainsThePromptToo()
    {
        var collator = new SftCollator(Codec, new SftCollatorOptions { CompletionOnlyLoss = false });
        collator.Tokenize(SftExample.FromPromptCompletion("ab", "cd")).Labels.Should().Equal(0, 1, 2, 3, Eos);
    }

    [Fact]
    public void TextTrainsEveryTokenAndTruncatesOnTheRight()
    {
        var collator = new SftCollator(Codec, new SftCollatorOptions { MaxLength = 4 });
        var t = collator.Tokenize(SftExample.FromText("abcdef"));
        t.InputIds.Should().Equal(0, 1, 2, 3);
        t.Labels.Should().Equal(0, 1, 2, 3);
    }

    [Fact]
    public void PaddingIsMaskedByPositionSoAPadEqualToEosKeepsTheEosLabel()
    {
        var collator = new SftCollator(Codec);
        using var batch = collator.Collate(new[]
        {
            collator.Tokenize(SftExample.FromPromptCompletion("a", "b")),   // a b EOS
            collator.Tokenize(SftExample.FromPromptCompletion("ab", "cd")), // a b c d EOS
        });

        Row(batch.InputIds, 0).Should().Equal(0, 1, Eos, 0, 0);
        Row(batch.AttentionMask, 0).Should().Equal(1, 1, 1, 0, 0);
        Row(batch.Labels, 0).Should().Equal(X, 1, Eos, X, X);
        Row(batch.Labels, 1).Should().Equal(X, X, 2, 3, Eos);
        batch.PositionIds.Should().BeNull();
        batch.TokenCount.Should().Be(8);
        batch.Weight.Should().Be(5, "labels after the shift: b, EOS | c, d, EOS");
    }

    [Fact]
    public void PackingNumbersSegmentsRestartsPositionsAndNeverPredictsAcrossThem()
    {
        var collator = new SftCollator(Codec, new SftCollatorOptions { Packing = true, MaxLength = 8 });
        var examples = new[]
        {
            collator.Tokenize(SftExample.FromPromptCompletion("a", "b")),   // 3 tokens
            collator.Tokenize(SftExample.FromPromptCompletion("ab", "cd")), // 5 tokens
            collator.Tokenize(SftExample.FromText("xyz")),                  // 4 tokens
        };

        var rows = SftCollator.Pack(examples, 8);
        rows.Should().HaveCount(2);
        rows[0].Select(e => e.Length).Should().Equal(new[] { 5, 3 }, "first fit by decreasing length");
        rows[1].Select(e => e.Length).Should().Equal(4);

        using var batch = collator.CollatePacked(rows);
        Row(batch.InputIds, 0).Should().Equal(0, 1, 2, 3, Eos, 0, 1, Eos);
        Row(batch.AttentionMask, 0).Should().Equal(1, 1, 1, 1, 1, 2, 2, 2);
        Row(batch.PositionIds!, 0).Should().Equal(0, 1, 2, 3, 4, 0, 1, 2);
        Row(batch.Labels, 0).Should().Equal(X, X, 2, 3, Eos, X, 1, Eos);
        Row(batch.AttentionMask, 1).Should().Equal(1, 1, 1, 1, 0, 0, 0, 0);
        Row(batch.Labels, 1).Should().Equal(23, 24, 25, Eos, X, X, X, X);
    }

    [Fact]
    public void ConversationsTrainOnlyAssistantTurns()
    {
        // A ChatML-like renderer made of letters so that ByteCodec can encode it: "U:" "A:" markers, "." ends a turn.
        static string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt) =>
            string.Concat(messages.Select(m => (m.Role == "user" ? "U:" : "A:") + m.Content + ".")) + (addGenerationPrompt ? "A:" : "");
        var collator = new SftCollator(Codec, renderChat: Render);

        var t = collator.Tokenize(SftExample.FromMessages(new[]
        {
            new ChatMessage("user", "hi"), new ChatMessage("assistant", "yo"), new ChatMessage("user", "ok"), new ChatMessage("assistant", "b"),
        }));

        // "U:hi.A:yo.U:ok.A:b." with only "yo." and "b." trained; no EOS appended for conversations.
        Codec.Decode(t.InputIds, false).Should().Be("U:hi.A:yo.U:ok.A:b.");
        var trained = string.Concat(t.InputIds.Zip(t.Labels).Select(p => p.Second == X ? "_" : Codec.Decode(new[] { p.First }, false)));
        trained.Should().Be("_______yo._______b."); // "U:hi.A:" and "U:ok.A:" untrained
    }

    [Fact]
    public void ATemplateThatIsNotTurnByTurnIsAClearError()
    {
        static string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt) =>
            messages.Count + ":" + string.Concat(messages.Select(m => m.Content)); // the prefix changes with the count
        var collator = new SftCollator(Codec, renderChat: Render);
        var act = () => collator.Tokenize(SftExample.FromMessages(new[] { new ChatMessage("user", "a"), new ChatMessage("assistant", "b") }) with { Source = "d.jsonl", Line = 7 });
        act.Should().Throw<DataFormatException>().WithMessage("d.jsonl:7: the chat template does not render this conversation turn by turn*");
    }
}
