using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Peft.Tokenization.Pipeline;

/// <summary>
/// A regular expression from a <c>tokenizer.json</c> run with the semantics of the Rust engines Hugging Face uses:
/// classes such as <c>\p{L}</c> see whole code points (a .NET regex sees the two halves of a surrogate pair, which
/// are neither letters nor numbers), and possessive quantifiers (<c>a++</c>, <c>a?+</c>) are rewritten as atomic
/// groups, which .NET supports.
/// </summary>
internal sealed class UnicodeRegex
{
    private readonly Regex _regex;

    private UnicodeRegex(Regex regex, string pattern)
    {
        _regex = regex;
        Pattern = pattern;
    }

    /// <summary>The pattern as written in the file.</summary>
    public string Pattern { get; }

    /// <summary>Compiles a pattern written for Oniguruma / Rust regex.</summary>
    /// <exception cref="ArgumentException">The pattern cannot be expressed as a .NET regular expression.</exception>
    public static UnicodeRegex Create(string pattern)
    {
        var translated = RewritePossessive(pattern);
        var regex = new Regex(translated, RegexOptions.CultureInvariant | RegexOptions.Compiled);
        return new UnicodeRegex(regex, pattern);
    }

    /// <summary>A regex that matches <paramref name="literal"/> exactly.</summary>
    public static UnicodeRegex Literal(string literal) =>
        new(new Regex(Regex.Escape(literal), RegexOptions.CultureInvariant), literal);

    /// <summary>Appends the matches inside <c>text[start, start + length)</c> (absolute positions) to <paramref name="matches"/>.</summary>
    public void Matches(string text, int start, int length, List<(int Start, int Length)> matches)
    {
        var span = text.AsSpan(start, length);
        if (span.IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            foreach (var m in _regex.EnumerateMatches(span))
            {
                matches.Add((start + m.Index, m.Length));
            }

            return;
        }

        // Replace each code point above U+FFFF by one BMP char of the same Unicode category so that the .NET engine
        // classifies it like a Rust engine would, then map match positions back.
        var folded = new StringBuilder(length);
        var positions = new List<int>(length + 1);
        var i = 0;
        while (i < span.Length)
        {
            positions.Add(i);
            if (Rune.DecodeFromUtf16(span[i..], out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                folded.Append('\uFFFD');
                i += 1;
                continue;
            }

            folded.Append(rune.IsBmp ? (char)rune.Value : Stand_in(Rune.GetUnicodeCategory(rune)));
            i += consumed;
        }

        positions.Add(span.Length);
        foreach (var m in _regex.EnumerateMatches(folded.ToString()))
        {
            var s = positions[m.Index];
            var e = positions[m.Index + m.Length];
            matches.Add((start + s, e - s));
        }
    }

    /// <summary>A BMP character of the given category that no tokenizer pattern names literally.</summary>
    private static char Stand_in(UnicodeCategory category) => category switch
    {
        UnicodeCategory.UppercaseLetter => '\u00C0',
        UnicodeCategory.LowercaseLetter => '\u00DF',
        UnicodeCategory.TitlecaseLetter => '\u01C5',
        UnicodeCategory.ModifierLetter => '\u02B0',
        UnicodeCategory.OtherLetter => '\u05D0',
        UnicodeCategory.NonSpacingMark => '\u0300',
        UnicodeCategory.SpacingCombiningMark => '\u0903',
        UnicodeCategory.EnclosingMark => '\u0488',
        UnicodeCategory.DecimalDigitNumber => '\u0660',
        UnicodeCategory.LetterNumber => '\u2160',
        UnicodeCategory.OtherNumber => '\u00B2',
        UnicodeCategory.ConnectorPunctuation => '\u203F',
        UnicodeCategory.DashPunctuation => '\u2010',
        UnicodeCategory.OpenPunctuation => '\u2045',
        UnicodeCategory.ClosePunctuation => '\u2046',
        UnicodeCategory.InitialQuotePunctuation => '\u00AB',
        UnicodeCategory.FinalQuotePunctuation => '\u00BB',
        UnicodeCategory.OtherPunctuation => '\u00A1',
        UnicodeCategory.MathSymbol => '\u00B1',
        UnicodeCategory.CurrencySymbol => '\u00A2',
        UnicodeCategory.ModifierSymbol => '\u00A8',
        UnicodeCategory.OtherSymbol => '\u00A6',
        UnicodeCategory.Format => '\u00AD',
        UnicodeCategory.PrivateUse => '\uE000',
        _ => '\u0378', // unassigned
    };

    /// <summary>Rewrites possessive quantifiers (<c>X*+</c>, <c>X++</c>, <c>X?+</c>, <c>X{n,m}+</c>) as <c>(?&gt;X*)</c>.</summary>
    internal static string RewritePossessive(string pattern)
    {
        if (!pattern.Contains("+", StringComparison.Ordinal))
        {
            return pattern;
        }

        var output = new StringBuilder(pattern.Length + 16);
        var atomStarts = new Stack<int>(); // output positions where open groups start
        var lastAtom = -1; // output position where the most recent complete atom starts
        var i = 0;
        while (i < pattern.Length)
        {
            var c = pattern[i];
            if (c == '\\')
            {
                var end = EscapeEnd(pattern, i);
                lastAtom = output.Length;
                output.Append(pattern, i, end - i);
                i = end;
            }
            else if (c == '[')
            {
                var end = ClassEnd(pattern, i);
                lastAtom = output.Length;
                output.Append(pattern, i, end - i);
                i = end;
            }
            else if (c == '(')
            {
                atomStarts.Push(output.Length);
                output.Append(c);
                i++;
                lastAtom = -1;
                if (i < pattern.Length && pattern[i] == '?')
                {
                    // Group syntax: (?:  (?i:  (?=  (?!  (?<=  (?<!  (?>  (?<name>  or an inline flag group (?i).
                    var j = i + 1;
                    while (j < pattern.Length && pattern[j] is not (':' or '=' or '!' or '>' or ')'))
                    {
                        j++;
                    }

                    j = Math.Min(j + 1, pattern.Length);
                    output.Append(pattern, i, j - i);
                    if (pattern[j - 1] == ')')
                    {
                        atomStarts.Pop();
                    }

                    i = j;
                }
            }
            else if (c == ')')
            {
                output.Append(c);
                i++;
                lastAtom = atomStarts.Count > 0 ? atomStarts.Pop() : -1;
            }
            else if (c is '*' or '+' or '?' or '{')
            {
                var end = c == '{' ? QuantifierEnd(pattern, i) : i + 1;
                if (end < 0)
                {
                    lastAtom = output.Length;
                    output.Append(c);
                    i++;
                    continue;
                }

                var quantifier = pattern.AsSpan(i, end - i);
                var possessive = end < pattern.Length && pattern[end] == '+' && lastAtom >= 0;
                if (possessive)
                {
                    output.Insert(lastAtom, "(?>");
                    output.Append(quantifier).Append(')');
                    i = end + 1;
                }
                else
                {
                    output.Append(quantifier);
                    i = end;
                    if (i < pattern.Length && pattern[i] == '?')
                    {
                        output.Append('?'); // lazy quantifier
                        i++;
                    }
                }

                lastAtom = -1;
            }
            else
            {
                lastAtom = c is '|' or '^' or '$' ? -1 : output.Length;
                output.Append(c);
                i++;
            }
        }

        return output.ToString();
    }

    private static int EscapeEnd(string p, int i)
    {
        if (i + 1 >= p.Length)
        {
            return p.Length;
        }

        var kind = p[i + 1];
        if ((kind is 'p' or 'P' or 'x' or 'u') && i + 2 < p.Length && p[i + 2] == '{')
        {
            var close = p.IndexOf('}', i + 2);
            return close < 0 ? p.Length : close + 1;
        }

        return i + 2;
    }

    private static int ClassEnd(string p, int i)
    {
        var depth = 0;
        var j = i;
        while (j < p.Length)
        {
            var c = p[j];
            if (c == '\\')
            {
                j = EscapeEnd(p, j);
                continue;
            }

            if (c == '[')
            {
                depth++;
                // A ']' right after '[' or '[^' is a literal.
                if (j + 1 < p.Length && p[j + 1] == '^')
                {
                    j++;
                }

                if (j + 1 < p.Length && p[j + 1] == ']')
                {
                    j++;
                }
            }
            else if (c == ']')
            {
                depth--;
                if (depth == 0)
                {
                    return j + 1;
                }
            }

            j++;
        }

        return p.Length;
    }

    private static int QuantifierEnd(string p, int i)
    {
        var close = p.IndexOf('}', i);
        if (close < 0)
        {
            return -1;
        }

        for (var j = i + 1; j < close; j++)
        {
            if (!char.IsAsciiDigit(p[j]) && p[j] != ',')
            {
                return -1;
            }
        }

        return close + 1;
    }
}
