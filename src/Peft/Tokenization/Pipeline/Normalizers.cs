using System.Globalization;
using System.Text;

namespace Peft.Tokenization.Pipeline;

/// <summary>A <c>tokenizer.json</c> normalizer: rewrites text before pre-tokenization, keeping offsets.</summary>
internal abstract class TextNormalizer
{
    public abstract AlignedText Normalize(AlignedText text);
}

/// <summary><c>Sequence</c>: applies normalizers in order.</summary>
internal sealed class SequenceNormalizer(IReadOnlyList<TextNormalizer> steps) : TextNormalizer
{
    public override AlignedText Normalize(AlignedText text)
    {
        foreach (var step in steps)
        {
            text = step.Normalize(text);
        }

        return text;
    }
}

/// <summary><c>Prepend</c>: puts a string in front of non-empty text (Llama-2 prepends "▁").</summary>
internal sealed class PrependNormalizer(string prefix) : TextNormalizer
{
    public override AlignedText Normalize(AlignedText text)
    {
        if (text.Text.Length == 0 || prefix.Length == 0)
        {
            return text;
        }

        var builder = new AlignedTextBuilder(text.Text.Length + prefix.Length);
        var at = text.StartOf(0);
        builder.Append(prefix, at, at);
        builder.Copy(text, 0, text.Text.Length);
        return builder.Build();
    }
}

/// <summary><c>Replace</c>: replaces every match of a literal or regex pattern by a string.</summary>
internal sealed class ReplaceNormalizer(UnicodeRegex pattern, string content) : TextNormalizer
{
    public override AlignedText Normalize(AlignedText text)
    {
        var matches = new List<(int Start, int Length)>();
        pattern.Matches(text.Text, 0, text.Text.Length, matches);
        matches.RemoveAll(m => m.Length == 0);
        if (matches.Count == 0)
        {
            return text;
        }

        if (content.Length == 1 && matches.TrueForAll(m => m.Length == 1))
        {
            var chars = text.Text.ToCharArray();
            foreach (var m in matches)
            {
                chars[m.Start] = content[0];
            }

            return text.WithText(new string(chars));
        }

        var builder = new AlignedTextBuilder(text.Text.Length);
        var position = 0;
        foreach (var m in matches)
        {
            builder.Copy(text, position, m.Start - position);
            var (start, end) = text.Span(m.Start, m.Length);
            builder.Append(content, start, end);
            position = m.Start + m.Length;
        }

        builder.Copy(text, position, text.Text.Length - position);
        return builder.Build();
    }
}

/// <summary><c>NFC</c>, <c>NFD</c>, <c>NFKC</c>, <c>NFKD</c>: Unicode normalization, one text element at a time.</summary>
internal sealed class UnicodeFormNormalizer(NormalizationForm form) : TextNormalizer
{
    public override AlignedText Normalize(AlignedText text)
    {
        if (text.Text.IsNormalized(form))
        {
            return text;
        }

        var builder = new AlignedTextBuilder(text.Text.Length);
        var elements = StringInfo.GetTextElementEnumerator(text.Text);
        while (elements.MoveNext())
        {
            var element = (string)elements.Current;
            var index = elements.ElementIndex;
            var normalized = element.Normalize(form);
            if (normalized == element)
            {
                builder.Copy(text, index, element.Length);
            }
            else
            {
                var (start, end) = text.Span(index, element.Length);
                builder.Append(normalized, start, end);
            }
        }

        return builder.Build();
    }
}

/// <summary><c>Lowercase</c>.</summary>
internal sealed class LowercaseNormalizer : TextNormalizer
{
    public override AlignedText Normalize(AlignedText text)
    {
        var lower = text.Text.ToLowerInvariant();
        return lower == text.Text ? text : text.WithText(lower);
    }
}

/// <summary><c>Strip</c>: removes leading and/or trailing whitespace.</summary>
internal sealed class StripNormalizer(bool left, bool right) : TextNormalizer
{
    public override AlignedText Normalize(AlignedText text)
    {
        var s = text.Text;
        var start = 0;
        var end = s.Length;
        if (left)
        {
            while (start < end && char.IsWhiteSpace(s[start]))
            {
                start++;
            }
        }

        if (right)
        {
            while (end > start && char.IsWhiteSpace(s[end - 1]))
            {
                end--;
            }
        }

        if (start == 0 && end == s.Length)
        {
            return text;
        }

        var builder = new AlignedTextBuilder(end - start);
        builder.Copy(text, start, end - start);
        return builder.Build();
    }
}

/// <summary>
/// The normalization of a SentencePiece model whose normalizer rule is <c>identity</c> (Llama-2, Mistral,
/// TinyLlama): optionally collapse whitespace, add the dummy prefix "▁" and show spaces as "▁". With
/// <c>legacy = false</c> (transformers' non-legacy Llama tokenizer) the dummy prefix is added only to text that
/// starts the input, not to text that follows a special token.
/// </summary>
internal sealed class SentencePieceNormalizer(bool addDummyPrefix, bool removeExtraWhitespaces, bool escapeWhitespaces, bool legacy) : TextNormalizer
{
    public const char Underline = '\u2581';

    public override AlignedText Normalize(AlignedText text)
    {
        var s = text.Text;
        var builder = new AlignedTextBuilder(s.Length + 1);
        var start = 0;
        var end = s.Length;
        if (removeExtraWhitespaces)
        {
            while (start < end && s[start] == ' ')
            {
                start++;
            }

            while (end > start && s[end - 1] == ' ')
            {
                end--;
            }
        }

        if (start == end)
        {
            return builder.Build();
        }

        if (addDummyPrefix && (legacy || text.StartOf(0) == 0))
        {
            var at = text.StartOf(start);
            builder.Append(escapeWhitespaces ? Underline : ' ', at, at);
        }

        for (var i = start; i < end; i++)
        {
            var c = s[i];
            if (c == ' ')
            {
                if (removeExtraWhitespaces && i > start && s[i - 1] == ' ')
                {
                    continue;
                }

                builder.Append(escapeWhitespaces ? Underline : ' ', text.StartOf(i), text.EndOf(i));
            }
            else
            {
                builder.Copy(text, i, 1);
            }
        }

        return builder.Build();
    }
}
