using System.Text;
using FluentAssertions;
using Peft.Tokenization.Pipeline;
using Xunit;

namespace Peft.Tests.Tokenization.Pipeline;

/// <summary>Normalizers rewrite text and keep each char's input range.</summary>
public sealed class NormalizerTests
{
    private static (string Text, (int, int)[] Spans) Run(TextNormalizer normalizer, string input)
    {
        var output = normalizer.Normalize(new AlignedText(input, 0));
        return (output.Text, Enumerable.Range(0, output.Text.Length).Select(i => output.Span(i, 1)).ToArray());
    }

    [Fact]
    public void Llama2_prepend_and_replace()
    {
        var llama = new SequenceNormalizer([new PrependNormalizer("▁"), new ReplaceNormalizer(UnicodeRegex.Literal(" "), "▁")]);
        var (text, spans) = Run(llama, "a b");
        text.Should().Be("▁a▁b");
        spans.Should().Equal((0, 0), (0, 1), (1, 2), (2, 3));
        Run(llama, string.Empty).Text.Should().BeEmpty("Prepend leaves empty text alone");
    }

    [Fact]
    public void Replace_with_a_longer_string_maps_to_the_replaced_chars()
    {
        var (text, spans) = Run(new ReplaceNormalizer(UnicodeRegex.Create("b+"), "XY"), "abbc");
        text.Should().Be("aXYc");
        spans.Should().Equal((0, 1), (1, 3), (1, 3), (3, 4));
    }

    [Fact]
    public void Unicode_forms_lowercase_and_strip()
    {
        var (nfkc, spans) = Run(new UnicodeFormNormalizer(NormalizationForm.FormKC), "ﬁx");
        nfkc.Should().Be("fix");
        spans.Should().Equal((0, 1), (0, 1), (1, 2));
        Run(new UnicodeFormNormalizer(NormalizationForm.FormC), "e\u0301").Text.Should().Be("é");
        Run(new LowercaseNormalizer(), "HeLLo").Text.Should().Be("hello");
        var (stripped, stripSpans) = Run(new StripNormalizer(left: true, right: true), "  hi \n");
        stripped.Should().Be("hi");
        stripSpans.Should().Equal((2, 3), (3, 4));
    }

    [Fact]
    public void Sentencepiece_identity_rule()
    {
        Run(new SentencePieceNormalizer(addDummyPrefix: true, removeExtraWhitespaces: false, escapeWhitespaces: true, legacy: true), " a  b").Text.Should().Be("▁▁a▁▁b");
        Run(new SentencePieceNormalizer(addDummyPrefix: true, removeExtraWhitespaces: true, escapeWhitespaces: true, legacy: true), " a  b ").Text.Should().Be("▁a▁b");
        var later = new SentencePieceNormalizer(true, false, true, legacy: false).Normalize(new AlignedText("b", 5));
        later.Text.Should().Be("b", "non-legacy: no dummy prefix after a special token");
    }
}
