using FluentAssertions;
using Peft.Evaluation.Rouge;
using Xunit;

namespace Peft.Tests.Evaluation.Rouge;

/// <summary>rouge_score's default tokenizer: lowercase, [^a-z0-9]+ -> space, split, stem tokens longer than 3.</summary>
public sealed class RougeTokenizerTests
{
    [Theory]
    [InlineData("The quick brown fox.", new[] { "the", "quick", "brown", "fox" })]
    [InlineData("  Hello,\tWORLD!\r\nBye\n", new[] { "hello", "world", "bye" })]
    [InlineData("well-known e-mail", new[] { "well", "known", "e", "mail" })]
    [InlineData("3.14 is $2,000", new[] { "3", "14", "is", "2", "000" })]
    [InlineData("it's #Person1#'s", new[] { "it", "s", "person1", "s" })]
    [InlineData("café naïve", new[] { "caf", "na", "ve" })]            // non-ASCII letters separate words
    [InlineData("東京 2020 Москва", new[] { "2020" })]                  // non-Latin scripts give no tokens
    [InlineData("\u0130stanbul", new[] { "i", "stanbul" })]            // Python: 'İ'.lower() == 'i' + U+0307
    [InlineData("\u212Aelvin", new[] { "kelvin" })]                    // Python: Kelvin sign lowercases to 'k'
    [InlineData("", new string[0])]
    [InlineData("!!! ... ???", new string[0])]
    public void TokenizesLikeRougeScore(string text, string[] expected) =>
        RougeTokenizer.Create().Tokenize(text).Should().Equal(expected);

    [Fact]
    public void StemsOnlyTokensLongerThanThreeCharacters()
    {
        // "cats" (4) -> cat, "running" -> run, "were" -> were (5a keeps e: m(wer)=1 and *o), "was"/"its" (3) untouched,
        // "2019s" -> 2019. Without the length rule "its" would become "it" and "was" would become "wa".
        RougeTokenizer.Create(useStemmer: true).Tokenize("The cats were running; was its 2019s")
            .Should().Equal("the", "cat", "were", "run", "was", "its", "2019");
    }

    [Fact]
    public void StemmerIsOffByDefault()
    {
        var tokenizer = RougeTokenizer.Create();
        tokenizer.UseStemmer.Should().BeFalse();
        tokenizer.Tokenize("cats running").Should().Equal("cats", "running");
    }

    [Fact]
    public void LongTextTokenizesCompletely()
    {
        var text = string.Join(" ", Enumerable.Repeat("Alpha-beta", 500));
        RougeTokenizer.Create().Tokenize(text).Should().HaveCount(1000).And.OnlyContain(t => t == "alpha" || t == "beta");
    }

    [Fact]
    public void RejectsNull() =>
        FluentActions.Invoking(() => RougeTokenizer.Create().Tokenize(null!)).Should().Throw<ArgumentNullException>();
}
