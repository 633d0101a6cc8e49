using System.Text;

namespace Peft.Tokenization.Templates.Runtime;

/// <summary>Python <c>str</c> semantics over .NET strings: whitespace, stripping, splitting, and indexing by code
/// point (so an emoji counts as one character, as in Python).</summary>
internal static class PyString
{
    /// <summary>Python's <c>str.isspace</c> for one UTF-16 unit.</summary>
    public static bool IsSpace(char c) => c switch
    {
        ' ' or '\t' or '\n' or '\v' or '\f' or '\r' => true,
        < '\x1c' => false,
        <= '\x1f' => true,
        < '\x85' => false,
        _ => c == '\x85' || c == '\xa0' || c == '\u1680' || (c >= '\u2000' && c <= '\u200a') || c == '\u2028'
             || c == '\u2029' || c == '\u202f' || c == '\u205f' || c == '\u3000',
    };

    public static bool HasSurrogates(string s) => s.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') >= 0;

    public static int Length(string s) => HasSurrogates(s) ? CodePoints(s).Count : s.Length;

    /// <summary>The string's code points, each as a string (a lone surrogate stays one element).</summary>
    public static List<string> CodePoints(string s)
    {
        var list = new List<string>(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                list.Add(s.Substring(i, 2));
                i++;
            }
            else
            {
                list.Add(s[i].ToString());
            }
        }

        return list;
    }

    public static IEnumerable<object?> Iterate(string s)
    {
        if (!HasSurrogates(s))
        {
            for (var i = 0; i < s.Length; i++)
            {
                yield return s[i].ToString();
            }

            yield break;
        }

        foreach (var cp in CodePoints(s))
        {
            yield return cp;
        }
    }

    public static string Strip(string s, string? chars = null) => RStrip(LStrip(s, chars), chars);

    public static string LStrip(string s, string? chars = null)
    {
        var i = 0;
        while (i < s.Length && (chars is null ? IsSpace(s[i]) : chars.Contains(s[i], StringComparison.Ordinal)))
        {
            i++;
        }

        return i == 0 ? s : s[i..];
    }

    public static string RStrip(string s, string? chars = null)
    {
        var end = s.Length;
        while (end > 0 && (chars is null ? IsSpace(s[end - 1]) : chars.Contains(s[end - 1], StringComparison.Ordinal)))
        {
            end--;
        }

        return end == s.Length ? s : s[..end];
    }

    /// <summary>Python's <c>str.split(sep=None, maxsplit=-1)</c>.</summary>
    public static List<object?> Split(string s, string? sep, long maxSplit)
    {
        var result = new List<object?>();
        if (sep is null)
        {
            var i = 0;
            while (true)
            {
                while (i < s.Length && IsSpace(s[i]))
                {
                    i++;
                }

                if (i >= s.Length)
                {
                    break;
                }

                if (maxSplit >= 0 && result.Count >= maxSplit)
                {
                    result.Add(RStrip(s[i..]));
                    break;
                }

                var start = i;
                while (i < s.Length && !IsSpace(s[i]))
                {
                    i++;
                }

                result.Add(s[start..i]);
            }

            return result;
        }

        if (sep.Length == 0)
        {
            throw JinjaException.Value("empty separator");
        }

        var pos = 0;
        while (maxSplit < 0 || result.Count < maxSplit)
        {
            var next = s.IndexOf(sep, pos, StringComparison.Ordinal);
            if (next < 0)
            {
                break;
            }

            result.Add(s[pos..next]);
            pos = next + sep.Length;
        }

        result.Add(s[pos..]);
        return result;
    }

    /// <summary>Python's <c>str.rsplit(sep=None, maxsplit=-1)</c>.</summary>
    public static List<object?> RSplit(string s, string? sep, long maxSplit)
    {
        if (maxSplit < 0)
        {
            return Split(s, sep, maxSplit);
        }

        var result = new List<object?>();
        if (sep is null)
        {
            var end = s.Length;
            while (true)
            {
                while (end > 0 && IsSpace(s[end - 1]))
                {
                    end--;
                }

                if (end == 0)
                {
                    break;
                }

                if (result.Count >= maxSplit)
                {
                    result.Add(LStrip(s[..end]));
                    break;
                }

                var stop = end;
                while (end > 0 && !IsSpace(s[end - 1]))
                {
                    end--;
                }

                result.Add(s[end..stop]);
            }
        }
        else
        {
            if (sep.Length == 0)
            {
                throw JinjaException.Value("empty separator");
            }

            var end = s.Length;
            while (result.Count < maxSplit)
            {
                var at = end - sep.Length < 0 ? -1 : s.LastIndexOf(sep, end - sep.Length, StringComparison.Ordinal);
                if (at < 0)
                {
                    break;
                }

                result.Add(s[(at + sep.Length)..end]);
                end = at;
            }

            result.Add(s[..end]);
        }

        result.Reverse();
        return result;
    }

    /// <summary>Python's <c>str.splitlines(keepends=False)</c>.</summary>
    public static List<object?> SplitLines(string s, bool keepEnds = false)
    {
        var lines = new List<object?>();
        var start = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c is '\n' or '\r' or '\v' or '\f' or '\x1c' or '\x1d' or '\x1e' or '\x85' or '\u2028' or '\u2029')
            {
                var eol = i + (c == '\r' && i + 1 < s.Length && s[i + 1] == '\n' ? 2 : 1);
                lines.Add(keepEnds ? s[start..eol] : s[start..i]);
                start = eol;
                i = eol - 1;
            }
        }

        if (start < s.Length)
        {
            lines.Add(s[start..]);
        }

        return lines;
    }

    public static string Upper(string s) => s.ToUpperInvariant();

    public static string Lower(string s) => s.ToLowerInvariant();

    /// <summary>Python's <c>str.capitalize</c>: first character upper-cased, the rest lower-cased.</summary>
    public static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();

    /// <summary>Python's <c>str.title</c>: a letter after a non-letter is upper-cased, other letters lower-cased.</summary>
    public static string Title(string s)
    {
        var sb = new StringBuilder(s.Length);
        var previousCased = false;
        foreach (var c in s)
        {
            sb.Append(previousCased ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c));
            previousCased = char.IsLetter(c);
        }

        return sb.ToString();
    }

    /// <summary>Python's <c>str.center(width, fillchar)</c>.</summary>
    public static string Center(string s, long width, string fill = " ")
    {
        var length = Length(s);
        if (width <= length)
        {
            return s;
        }

        var marg = (int)width - length;
        var left = (marg / 2) + (marg & (int)width & 1);
        return Repeat(fill, left) + s + Repeat(fill, marg - left);
    }

    public static string Repeat(string s, long count)
    {
        if (count <= 0 || s.Length == 0)
        {
            return "";
        }

        if ((long)s.Length * count > 100_000_000)
        {
            throw new JinjaException("MemoryError", $"repeating a string of {s.Length} characters {count} times is too large");
        }

        var sb = new StringBuilder(s.Length * (int)count);
        for (var i = 0; i < count; i++)
        {
            sb.Append(s);
        }

        return sb.ToString();
    }

    /// <summary>Python's <c>str.replace(old, new, count=-1)</c> (an empty old value inserts between characters).</summary>
    public static string Replace(string s, string oldValue, string newValue, long count)
    {
        if (count < 0 && oldValue.Length > 0)
        {
            return s.Replace(oldValue, newValue, StringComparison.Ordinal);
        }

        var sb = new StringBuilder();
        var done = 0L;
        if (oldValue.Length == 0)
        {
            var points = CodePoints(s);
            foreach (var cp in points)
            {
                if (count < 0 || done < count)
                {
                    sb.Append(newValue);
                    done++;
                }

                sb.Append(cp);
            }

            if (count < 0 || done < count)
            {
                sb.Append(newValue);
            }

            return sb.ToString();
        }

        var pos = 0;
        while (done < count)
        {
            var at = s.IndexOf(oldValue, pos, StringComparison.Ordinal);
            if (at < 0)
            {
                break;
            }

            sb.Append(s, pos, at - pos).Append(newValue);
            pos = at + oldValue.Length;
            done++;
        }

        return sb.Append(s, pos, s.Length - pos).ToString();
    }

    /// <summary>Compares by Unicode code point, as Python orders strings.</summary>
    public static int Compare(string a, string b)
    {
        if (!HasSurrogates(a) && !HasSurrogates(b))
        {
            return string.CompareOrdinal(a, b);
        }

        var ea = a.EnumerateRunes();
        var eb = b.EnumerateRunes();
        while (true)
        {
            var ha = ea.MoveNext();
            var hb = eb.MoveNext();
            if (!ha || !hb)
            {
                return ha ? 1 : hb ? -1 : 0;
            }

            var c = ea.Current.Value.CompareTo(eb.Current.Value);
            if (c != 0)
            {
                return c;
            }
        }
    }
}
