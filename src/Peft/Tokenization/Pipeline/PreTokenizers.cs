using System.Globalization;
using System.Text;

namespace Peft.Tokenization.Pipeline;

/// <summary>How a <c>Split</c> keeps the delimiters it finds (Hugging Face's <c>SplitDelimiterBehavior</c>).</summary>
internal enum SplitBehavior
{
    Removed,
    Isolated,
    MergedWithPrevious,
    MergedWithNext,
    Contiguous,
}

/// <summary>A <c>tokenizer.json</c> pre-tokenizer step: splits (and possibly rewrites) pieces.</summary>
internal abstract class PreTokenizerStep
{
    public abstract void Apply(PreTokenizedText text);

    /// <summary>True for the <c>ByteLevel</c> step (or a sequence containing it): the model sees UTF-8 bytes.</summary>
    public virtual bool IsByteLevel => false;

    /// <summary>Splits every piece at the delimiters <paramref name="find"/> reports, as Hugging Face's <c>split</c> does.</summary>
    protected static void SplitPieces(PreTokenizedText text, Action<string, int, int, List<(int Start, int Length)>> find, SplitBehavior behavior, bool invert)
    {
        var result = new List<(int Start, int Length)>(text.Pieces.Count * 2);
        var matches = new List<(int Start, int Length)>();
        var parts = new List<(int Start, int End, bool IsMatch)>();
        foreach (var piece in text.Pieces)
        {
            matches.Clear();
            find(text.Text.Text, piece.Start, piece.Length, matches);
            parts.Clear();
            var position = piece.Start;
            foreach (var m in matches)
            {
                if (m.Start > position)
                {
                    parts.Add((position, m.Start, invert));
                }

                parts.Add((m.Start, m.Start + m.Length, !invert));
                position = m.Start + m.Length;
            }

            if (position < piece.Start + piece.Length)
            {
                parts.Add((position, piece.Start + piece.Length, invert));
            }

            Apply(parts, behavior, result);
        }

        text.Pieces = result;
    }

    private static void Apply(List<(int Start, int End, bool IsMatch)> parts, SplitBehavior behavior, List<(int Start, int Length)> result)
    {
        switch (behavior)
        {
            case SplitBehavior.Isolated:
                foreach (var p in parts)
                {
                    Add(result, p.Start, p.End);
                }

                return;
            case SplitBehavior.Removed:
                foreach (var p in parts)
                {
                    if (!p.IsMatch)
                    {
                        Add(result, p.Start, p.End);
                    }
                }

                return;
        }

        var merged = new List<(int Start, int End)>(parts.Count);
        var previousMatch = false;
        if (behavior == SplitBehavior.MergedWithNext)
        {
            for (var i = parts.Count - 1; i >= 0; i--)
            {
                var p = parts[i];
                if (p.IsMatch && !previousMatch && merged.Count > 0)
                {
                    merged[^1] = (p.Start, merged[^1].End);
                }
                else
                {
                    merged.Add((p.Start, p.End));
                }

                previousMatch = p.IsMatch;
            }

            merged.Reverse();
        }
        else
        {
            foreach (var p in parts)
            {
                // Contiguous joins runs of equal kind; MergedWithPrevious glues a delimiter to what precedes it.
                var join = behavior == SplitBehavior.Contiguous ? p.IsMatch == previousMatch : p.IsMatch && !previousMatch;
                if (join && merged.Count > 0)
                {
                    merged[^1] = (merged[^1].Start, p.End);
                }
                else
                {
                    merged.Add((p.Start, p.End));
                }

                previousMatch = p.IsMatch;
            }
        }

        foreach (var (start, end) in merged)
        {
            Add(result, start, end);
        }
    }

    private static void Add(List<(int Start, int Length)> result, int start, int end)
    {
        if (end > start)
        {
            result.Add((start, end - start));
        }
    }

    /// <summary>Reports every char for which <paramref name="predicate"/> holds as its own delimiter (surrogate pairs stay whole).</summary>
    protected static Action<string, int, int, List<(int Start, int Length)>> EachChar(Func<Rune, bool> predicate) =>
        (s, start, length, matches) =>
        {
            var i = start;
            var end = start + length;
            while (i < end)
            {
                if (Rune.DecodeFromUtf16(s.AsSpan(i, end - i), out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
                {
                    rune = Rune.ReplacementChar;
                    consumed = 1;
                }

                if (predicate(rune))
                {
                    matches.Add((i, consumed));
                }

                i += consumed;
            }
        };
}

/// <summary><c>Sequence</c>: applies steps in order.</summary>
internal sealed class SequencePreTokenizer(IReadOnlyList<PreTokenizerStep> steps) : PreTokenizerStep
{
    public override bool IsByteLevel => steps.Any(s => s.IsByteLevel);

    public override void Apply(PreTokenizedText text)
    {
        foreach (var step in steps)
        {
            step.Apply(text);
        }
    }
}

/// <summary><c>Split</c>: splits on a literal or regex pattern.</summary>
internal sealed class SplitPreTokenizer(UnicodeRegex pattern, SplitBehavior behavior, bool invert) : PreTokenizerStep
{
    public override void Apply(PreTokenizedText text) => SplitPieces(text, pattern.Matches, behavior, invert);
}

/// <summary>
/// <c>ByteLevel</c>: optionally prefixes each piece with a space and splits with GPT-2's regex; marks the model as
/// byte-level (the model maps each piece to UTF-8 bytes shown in <see cref="ByteLevelAlphabet"/>).
/// </summary>
internal sealed class ByteLevelPreTokenizer(bool addPrefixSpace, bool useRegex) : PreTokenizerStep
{
    /// <summary>GPT-2's pre-tokenization pattern.</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private static readonly UnicodeRegex s_gpt2 = UnicodeRegex.Create(Gpt2Pattern);

    public override bool IsByteLevel => true;

    public override void Apply(PreTokenizedText text)
    {
        if (addPrefixSpace && text.Pieces.Exists(p => text.Text.Text[p.Start] != ' '))
        {
            text.Rewrite((t, p) => t.Text[p.Start] == ' ' ? null : " ", '\0', '\0');
        }

        if (useRegex)
        {
            SplitPieces(text, s_gpt2.Matches, SplitBehavior.Isolated, invert: false);
        }
    }
}

/// <summary>When <c>Metaspace</c> prepends its replacement char (Hugging Face's <c>PrependScheme</c>).</summary>
internal enum PrependScheme
{
    Always,
    First,
    Never,
}

/// <summary><c>Metaspace</c>: shows spaces as "▁", prepends one per <see cref="PrependScheme"/>, splits before each.</summary>
internal sealed class MetaspacePreTokenizer(char replacement, PrependScheme scheme, bool split) : PreTokenizerStep
{
    public override void Apply(PreTokenizedText text)
    {
        text.Rewrite(
            (t, p) =>
            {
                var first = t.Text[p.Start];
                var startsWithReplacement = first == ' ' || first == replacement;
                return scheme switch
                {
                    PrependScheme.Always when !startsWithReplacement => replacement.ToString(),
                    PrependScheme.First when !startsWithReplacement && t.StartOf(p.Start) == 0 => replacement.ToString(),
                    _ => null,
                };
            },
            ' ',
            replacement);
        if (split)
        {
            SplitPieces(text, EachChar(r => r.Value == replacement), SplitBehavior.MergedWithNext, invert: false);
        }
    }
}

/// <summary><c>Digits</c>: isolates digits, one by one or as runs.</summary>
internal sealed class DigitsPreTokenizer(bool individualDigits) : PreTokenizerStep
{
    public override void Apply(PreTokenizedText text) =>
        SplitPieces(text, EachChar(IsNumeric), individualDigits ? SplitBehavior.Isolated : SplitBehavior.Contiguous, invert: false);

    /// <summary>Rust's <c>char::is_numeric</c>: general categories Nd, Nl and No.</summary>
    internal static bool IsNumeric(Rune r) => Rune.GetUnicodeCategory(r) is UnicodeCategory.DecimalDigitNumber
        or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber;
}

/// <summary><c>WhitespaceSplit</c>: splits on whitespace and drops it.</summary>
internal sealed class WhitespaceSplitPreTokenizer : PreTokenizerStep
{
    public override void Apply(PreTokenizedText text) =>
        SplitPieces(text, EachChar(Rune.IsWhiteSpace), SplitBehavior.Removed, invert: false);
}

/// <summary><c>Whitespace</c>: keeps runs of word chars and runs of other non-space chars.</summary>
internal sealed class WhitespacePreTokenizer : PreTokenizerStep
{
    private static readonly UnicodeRegex s_words = UnicodeRegex.Create(@"\w+|[^\w\s]+");

    public override void Apply(PreTokenizedText text) => SplitPieces(text, s_words.Matches, SplitBehavior.Removed, invert: true);
}

/// <summary><c>Punctuation</c>: splits off punctuation chars.</summary>
internal sealed class PunctuationPreTokenizer(SplitBehavior behavior) : PreTokenizerStep
{
    public override void Apply(PreTokenizedText text) =>
        SplitPieces(text, EachChar(r => Rune.IsPunctuation(r) || (r.IsAscii && Rune.IsSymbol(r))), behavior, invert: false);
}
