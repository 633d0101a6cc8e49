using FluentAssertions;
using Peft.Tests.Support;
using Peft.Tokenization;
using Xunit;
using static Peft.Tests.Tokenization.TinyLlama3Tokenizer;

namespace Peft.Tests.Tokenization;

/// <summary>Padding (left/right, longest/max_length, multiple-of) and truncation (left/right) give exact arrays.</summary>
public sealed class BatchEncodingTests : IDisposable
{
    private const int Pad = EndOfText;
    private static readonly string[] s_texts = ["Hello world", "hi", "1234 Hello"];

    // Content ids: [Hello, Ġworld], [h, i], [12, 3, 4, Ġ, Hello]; the template adds BOS.
    private readonly TempDirectory _dir = new();
    private readonly PretrainedTokenizer _tokenizer;

    public BatchEncodingTests()
    {
        Write(_dir.Path);
        _tokenizer = PretrainedTokenizer.FromPretrained(_dir.Path, new TokenizerLoadOptions { PadToken = "<|end_of_text|>" });
    }

    public void Dispose() => _dir.Dispose();

    private static long[][] Rows(params long[][] rows) => rows;

    [Fact]
    public void No_padding_keeps_rows_ragged()
    {
        var batch = _tokenizer.EncodeBatch(s_texts);
        batch.InputIds.Should().BeEquivalentTo(Rows([300, Hello, SpaceWorld], [300, 'h', 'i'], [300, Twelve, '3', '4', ' ', Hello]), o => o.WithStrictOrdering());
        batch.AttentionMask.Select(r => r.All(v => v == 1)).Should().OnlyContain(x => x);
        batch.IsRectangular.Should().BeFalse();
        batch.MaxLength.Should().Be(6);
        var flatten = () => batch.FlattenInputIds();
        flatten.Should().Throw<InvalidOperationException>().WithMessage("*3, 3, 6*padding*");
    }

    [Fact]
    public void Longest_padding_on_the_right()
    {
        var batch = _tokenizer.EncodeBatch(s_texts, new BatchEncodeOptions { Padding = PaddingStrategy.Longest });
        batch.FlattenInputIds().Should().Equal(
            300, Hello, SpaceWorld, Pad, Pad, Pad,
            300, 'h', 'i', Pad, Pad, Pad,
            300, Twelve, '3', '4', ' ', Hello);
        batch.FlattenAttentionMask().Should().Equal(
            1, 1, 1, 0, 0, 0,
            1, 1, 1, 0, 0, 0,
            1, 1, 1, 1, 1, 1);
    }

    [Fact]
    public void Longest_padding_on_the_left()
    {
        var batch = _tokenizer.EncodeBatch(s_texts, new BatchEncodeOptions { Padding = PaddingStrategy.Longest, PaddingSide = PaddingSide.Left });
        batch.FlattenInputIds().Should().Equal(
            Pad, Pad, Pad, 300, Hello, SpaceWorld,
            Pad, Pad, Pad, 300, 'h', 'i',
            300, Twelve, '3', '4', ' ', Hello);
        batch.FlattenAttentionMask().Should().Equal(
            0, 0, 0, 1, 1, 1,
            0, 0, 0, 1, 1, 1,
            1, 1, 1, 1, 1, 1);
    }

    [Fact]
    public void Max_length_padding_and_multiple_of()
    {
        var batch = _tokenizer.EncodeBatch(["hi"], new BatchEncodeOptions { Padding = PaddingStrategy.MaxLength, MaxLength = 5 });
        batch.InputIds[0].Should().Equal(300, 'h', 'i', Pad, Pad);
        batch.AttentionMask[0].Should().Equal(1, 1, 1, 0, 0);

        var rounded = _tokenizer.EncodeBatch(s_texts, new BatchEncodeOptions { Padding = PaddingStrategy.Longest, PadToMultipleOf = 4, PadTokenId = 0 });
        rounded.MaxLength.Should().Be(8);
        rounded.InputIds[2].Should().Equal(300, Twelve, '3', '4', ' ', Hello, 0, 0);
    }

    [Fact]
    public void Truncation_keeps_the_special_tokens()
    {
        var right = _tokenizer.EncodeBatch(s_texts, new BatchEncodeOptions { Truncation = true, MaxLength = 4 });
        right.InputIds.Should().BeEquivalentTo(Rows([300, Hello, SpaceWorld], [300, 'h', 'i'], [300, Twelve, '3', '4']), o => o.WithStrictOrdering());

        var left = _tokenizer.EncodeBatch(s_texts, new BatchEncodeOptions { Truncation = true, MaxLength = 4, TruncationSide = TruncationSide.Left });
        left.InputIds[2].Should().Equal(300, '4', ' ', Hello);

        var both = _tokenizer.EncodeBatch(s_texts, new BatchEncodeOptions { Truncation = true, MaxLength = 4, Padding = PaddingStrategy.MaxLength, PaddingSide = PaddingSide.Left });
        both.FlattenInputIds().Should().Equal(
            Pad, 300, Hello, SpaceWorld,
            Pad, 300, 'h', 'i',
            300, Twelve, '3', '4');
        both.FlattenAttentionMask().Should().Equal(0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1);
    }

    [Fact]
    public void Without_special_tokens()
    {
        var batch = _tokenizer.EncodeBatch(s_texts, new BatchEncodeOptions { AddSpecialTokens = false, Truncation = true, MaxLength = 2 });
        batch.InputIds.Should().BeEquivalentTo(Rows([Hello, SpaceWorld], ['h', 'i'], [Twelve, '3']), o => o.WithStrictOrdering());
    }

    [Fact]
    public void Invalid_requests_are_rejected()
    {
        var noLength = () => _tokenizer.EncodeBatch(s_texts, new BatchEncodeOptions { Truncation = true });
        noLength.Should().Throw<ArgumentException>().WithMessage("*MaxLength*model_max_length*");
        var tooShort = () => _tokenizer.EncodeBatch(s_texts, new BatchEncodeOptions { Truncation = true, MaxLength = 0 });
        tooShort.Should().Throw<ArgumentException>().WithMessage("*must be positive*");
        var multiple = () => _tokenizer.EncodeBatch(s_texts, new BatchEncodeOptions { Padding = PaddingStrategy.Longest, PadToMultipleOf = 0 });
        multiple.Should().Throw<ArgumentException>().WithMessage("*PadToMultipleOf*");
        _tokenizer.EncodeBatch([]).Count.Should().Be(0);
    }
}
