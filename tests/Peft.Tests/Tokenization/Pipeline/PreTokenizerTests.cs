using System.Text.RegularExpressions;
using FluentAssertions;
using Peft.Tokenization.Pipeline;
using Xunit;

namespace Peft.Tests.Tokenization.Pipeline;

/// <summary>Pre-tokenizer steps split exactly as Hugging Face's (examples from its documentation).</summary>
public sealed class PreTokenizerTests
{
    private static string[] Pieces(PreTokenizerStep step, string text)
    {
        var pre = new PreTokenizedText(new AlignedText(text, 0), [(0, text.Length)]);
        step.Apply(pre);
        return pre.Pieces.Select(p => pre.Text.Text.Substring(p.Start, p.Length)).ToArray();
    }

    [Theory]
    [InlineData(SplitBehavior.Removed, new[] { "the", "final", "countdown" })]
    [InlineData(SplitBehavior.Isolated, new[] { "the", "-", "final", "-", "-", "countdown" })]
    [InlineData(SplitBehavior.MergedWithPrevious, new[] { "the-", "final-", "-", "countdown" })]
    [InlineData(SplitBehavior.MergedWithNext, new[] { "the", "-final", "-", "-countdown" })]
    [InlineData(SplitBehavior.Contiguous, new[] { "the", "-", "final", "--", "countdown" })]
    internal void Split_behaviors(SplitBehavior behavior, string[] expected) =>
        Pieces(new SplitPreTokenizer(UnicodeRegex.Literal("-"), behavior, invert: false), "the-final--countdown").Should().Equal(expected);

    [Fact]
    public void Inverted_split_keeps_the_matches()
    {
        Pieces(new SplitPreTokenizer(UnicodeRegex.Create(@"\w+"), SplitBehavior.Removed, invert: true), "Hey, friend!").Should().Equal("Hey", "friend");
        Pieces(new WhitespacePreTokenizer(), "Hey friend!  How are you?!?").Should().Equal("Hey", "friend", "!", "How", "are", "you", "?!?");
    }

    [Fact]
    public void Digits_and_whitespace_split_and_punctuation()
    {
        Pieces(new DigitsPreTokenizer(individualDigits: true), "Call 123 please").Should().Equal("Call ", "1", "2", "3", " please");
        Pieces(new DigitsPreTokenizer(individualDigits: false), "Call 123 please").Should().Equal("Call ", "123", " please");
        Pieces(new WhitespaceSplitPreTokenizer(), " a\tb  c\n").Should().Equal("a", "b", "c");
        Pieces(new PunctuationPreTokenizer(SplitBehavior.Isolated), "Hey friend!? $5").Should().Equal("Hey friend", "!", "?", " ", "$", "5");
    }

    [Fact]
    public void Byte_level_splits_with_the_gpt2_regex_and_adds_a_prefix_space()
    {
        Pieces(new ByteLevelPreTokenizer(addPrefixSpace: false, useRegex: true), "Hello my friend, how's  it going?")
            .Should().Equal("Hello", " my", " friend", ",", " how", "'s", " ", " it", " going", "?");
        Pieces(new ByteLevelPreTokenizer(addPrefixSpace: true, useRegex: true), "Hello world").Should().Equal(" Hello", " world");
        Pieces(new ByteLevelPreTokenizer(addPrefixSpace: true, useRegex: false), " Hello").Should().Equal(" Hello");
    }

    [Fact]
    public void Metaspace_replaces_spaces_and_prepends_per_scheme()
    {
        Pieces(new MetaspacePreTokenizer('▁', PrependScheme.Always, split: true), "Hey  friend").Should().Equal("▁Hey", "▁", "▁friend");
        Pieces(new MetaspacePreTokenizer('▁', PrependScheme.Always, split: false), "Hey  friend").Should().Equal("▁Hey▁▁friend");
        Pieces(new MetaspacePreTokenizer('▁', PrependScheme.Never, split: false), "Hey friend").Should().Equal("Hey▁friend");

        // "first" prepends only to text that starts the input.
        var later = new PreTokenizedText(new AlignedText("friend", 7), [(0, 6)]);
        new MetaspacePreTokenizer('▁', PrependScheme.First, split: false).Apply(later);
        later.Text.Text.Should().Be("friend");
        Pieces(new MetaspacePreTokenizer('▁', PrependScheme.First, split: false), "friend").Should().Equal("▁friend");
    }

    [Fact]
    public void Rewritten_text_keeps_input_offsets()
    {
        var pre = new PreTokenizedText(new AlignedText("a b", 10), [(0, 3)]);
        new MetaspacePreTokenizer('▁', PrependScheme.Always, split: true).Apply(pre);
        pre.Text.Text.Should().Be("▁a▁b");
        pre.Pieces.Select(p => pre.Text.Span(p.Start, p.Length)).Should().Equal((10, 11), (11, 13));
    }

    [Fact]
    public void Regex_classes_see_code_points_above_the_bmp()
    {
        // U+1D400 (𝐀) is a letter; .NET alone sees two surrogates that are neither letters nor numbers.
        const string text = "a𝐀b 😀";
        Regex.Matches(text, @"\p{L}+").Count.Should().Be(2);
        var matches = new List<(int Start, int Length)>();
        UnicodeRegex.Create(@"\p{L}+").Matches(text, 0, text.Length, matches);
        matches.Should().Equal((0, 4));

        matches.Clear();
        UnicodeRegex.Create(ByteLevelPreTokenizer.Gpt2Pattern).Matches(text, 0, text.Length, matches);
        matches.Should().Equal((0, 4), (4, 3));
    }

    [Theory]
    [InlineData(@"\p{L}++", @"(?>\p{L}+)")]
    [InlineData(@"[^\r\n\p{L}\p{N}]?+\p{L}++", @"(?>[^\r\n\p{L}\p{N}]?)(?>\p{L}+)")]
    [InlineData(@"\p{N}{1,3}+", @"(?>\p{N}{1,3})")]
    [InlineData(@"(?i:'s|'t)*+x", @"(?>(?i:'s|'t)*)x")]
    [InlineData(@"a+?b*c", @"a+?b*c")]
    [InlineData(@"[+]+", @"[+]+")]
    [InlineData(@"\s++$|\s+(?!\S)", @"(?>\s+)$|\s+(?!\S)")]
    public void Possessive_quantifiers_become_atomic_groups(string pattern, string expected) =>
        UnicodeRegex.RewritePossessive(pattern).Should().Be(expected);

    [Fact]
    public void The_cl100k_pattern_with_possessive_quantifiers_compiles_and_splits()
    {
        const string cl100k = @"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s";
        var step = new SplitPreTokenizer(UnicodeRegex.Create(cl100k), SplitBehavior.Isolated, invert: false);
        Pieces(step, "I'll pay 12345 dollars!!\n\n  ok  ").Should().Equal("I", "'ll", " pay", " ", "123", "45", " dollars", "!!\n\n", " ", " ok", "  ");
    }
}
