using FluentAssertions;
using Peft.Tokenization;
using Peft.Tokenization.Pipeline;
using Xunit;

namespace Peft.Tests.Tokenization.Pipeline;

/// <summary>Added tokens are found leftmost-longest with Hugging Face's lstrip, rstrip and single_word rules.</summary>
public sealed class AddedVocabularyTests
{
    private static string[] Split(string text, params AddedToken[] tokens)
    {
        var vocabulary = new AddedVocabulary(tokens, normalizer: null, splitSpecialTokens: false);
        var segments = new List<AddedVocabulary.Segment>();
        vocabulary.Split(text, 0, text.Length, normalizedTokens: false, segments);
        return segments.Select(s => (s.Token is null ? "" : "#") + text.Substring(s.Start, s.Length)).ToArray();
    }

    [Fact]
    public void Longest_match_wins_at_the_leftmost_position()
    {
        Split("a<|x|><|xy|>b", new AddedToken(1, "<|x", true), new AddedToken(2, "<|x|>", true), new AddedToken(3, "<|xy|>", true))
            .Should().Equal("a", "#<|x|>", "#<|xy|>", "b");
    }

    [Fact]
    public void Lstrip_and_rstrip_take_the_surrounding_whitespace()
    {
        Split("a  <mask>  b", new AddedToken(1, "<mask>", true, LStrip: true)).Should().Equal("a", "#  <mask>", "  b");
        Split("a  <mask>  b", new AddedToken(1, "<mask>", true, RStrip: true)).Should().Equal("a  ", "#<mask>  ", "b");
    }

    [Fact]
    public void Single_word_tokens_only_match_whole_words()
    {
        Split("ab cab ab_ ab", new AddedToken(1, "ab", false, SingleWord: true)).Should().Equal("#ab", " cab ab_ ", "#ab");
    }

    [Fact]
    public void Split_special_tokens_leaves_special_tokens_as_text()
    {
        var vocabulary = new AddedVocabulary([new AddedToken(1, "<s>", true), new AddedToken(2, "<w>", false)], null, splitSpecialTokens: true);
        var segments = new List<AddedVocabulary.Segment>();
        vocabulary.Split("<s>x<w>", 0, 7, normalizedTokens: false, segments);
        segments.Select(s => s.Token?.Id).Should().Equal(null, 2);
    }
}
