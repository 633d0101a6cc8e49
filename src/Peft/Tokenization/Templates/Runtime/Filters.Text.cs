using System.Globalization;
using System.Text;

namespace Peft.Tokenization.Templates.Runtime;

/// <summary>Text and number filters: round, title, tojson, truncate, indent.</summary>
internal static partial class Filters
{
    /// <summary>Python's <c>round(x, ndigits)</c>: half-to-even on the exact binary value (so 2.675 rounds to 2.67).</summary>
    internal static double PyRound(double value, int digits)
    {
        if (double.IsNaN(value) || double.IsInfinity(value) || value == 0)
        {
            return value;
        }

        if (digits <= 0)
        {
            var scale = Math.Pow(10, -digits);
            return Math.Round(value / scale, MidpointRounding.ToEven) * scale;
        }

        if (digits > 300)
        {
            return value;
        }

        // "F" formatting is exact in .NET, so the digits after the cut decide the rounding without binary error.
        var text = Math.Abs(value).ToString("F" + (digits + 30).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var kept = text[..(dot + 1 + digits)];
        var next = text[dot + 1 + digits];
        var rest = text[(dot + 2 + digits)..];
        var lastKept = kept[^1];
        var roundUp = next > '5' || (next == '5' && (rest.Any(c => c != '0') || (lastKept - '0') % 2 == 1));
        var digitsOnly = System.Numerics.BigInteger.Parse(kept.Replace(".", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
        if (roundUp)
        {
            digitsOnly += 1;
        }

        var exact = digitsOnly.ToString(CultureInfo.InvariantCulture).PadLeft(digits + 1, '0');
        var result = double.Parse(exact[..^digits] + "." + exact[^digits..], CultureInfo.InvariantCulture);
        return value < 0 ? -result : result;
    }

    private static string Title(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var item in WordBeginningSplit().Split(s))
        {
            if (item.Length > 0)
            {
                sb.Append(char.ToUpperInvariant(item[0])).Append(item[1..].ToLowerInvariant());
            }
        }

        return sb.ToString();
    }

    private static string ToJson(object? value, Arguments args)
    {
        var bound = args.Bind("tojson", ["ensure_ascii", "indent", "separators", "sort_keys"], 0, false, null, null, false);
        string? indent = bound[1] switch
        {
            null => null,
            string s => s,
            long or bool => new string(' ', (int)Math.Max(0, PyOps.AsLong(bound[1]))),
            _ => throw JinjaException.Type($"indent must be an int or a str, not {PyOps.TypeName(bound[1])}"),
        };
        string? itemSeparator = null;
        string? keySeparator = null;
        if (bound[2] is not null)
        {
            var parts = PyAccess.ToList(bound[2]);
            if (parts.Count != 2 || parts[0] is not string item || parts[1] is not string key)
            {
                throw JinjaException.Value("separators must be a pair of strings (item_separator, key_separator)");
            }

            (itemSeparator, keySeparator) = (item, key);
        }

        return PyJson.Dumps(value, PyOps.Truthy(bound[0]), indent, itemSeparator, keySeparator, PyOps.Truthy(bound[3]));
    }

    private static object? Truncate(object? value, Arguments args)
    {
        var bound = args.Bind("truncate", ["length", "killwords", "end", "leeway"], 0, 255L, false, "...", 5L);
        if (value is Undefined)
        {
            return "";
        }

        var length = (int)PyOps.AsLong(bound[0]);
        if (value is not string s)
        {
            // Python's len() works on any sized value; a short one is returned unchanged.
            var size = PyAccess.Length(value);
            var slack = bound[3] is null ? 5 : PyOps.AsLong(bound[3]);
            return size <= length + slack ? value : throw JinjaException.Type($"truncating a {PyOps.TypeName(value)} is not supported; truncate expects a string");
        }

        var end = PyRepr.Str(bound[2]);
        var leeway = bound[3] is null ? 5 : (int)PyOps.AsLong(bound[3]);
        if (length < end.Length)
        {
            throw new JinjaException("AssertionError", $"expected length >= {end.Length}, got {length}");
        }

        if (leeway < 0)
        {
            throw new JinjaException("AssertionError", $"expected leeway >= 0, got {leeway}");
        }

        if (PyString.Length(s) <= length + leeway)
        {
            return s;
        }

        var head = string.Concat(PyString.CodePoints(s).Take(length - end.Length));
        if (PyOps.Truthy(bound[1]))
        {
            return head + end;
        }

        var space = head.LastIndexOf(' ');
        return (space >= 0 ? head[..space] : head) + end;
    }

    private static string Indent(object? value, Arguments args)
    {
        var bound = args.Bind("indent", ["width", "first", "blank"], 0, 4L, false, false);
        var indentation = bound[0] is string w ? w : new string(' ', (int)Math.Max(0, PyOps.AsLong(bound[0])));
        var s = RequireText(value, "+=") + "\n";
        var lines = PyString.SplitLines(s).Cast<string>().ToList();
        string result;
        if (PyOps.Truthy(bound[2]))
        {
            result = string.Join("\n" + indentation, lines);
        }
        else
        {
            result = lines[0];
            if (lines.Count > 1)
            {
                result += "\n" + string.Join("\n", lines.Skip(1).Select(line => line.Length > 0 ? indentation + line : line));
            }
        }

        return PyOps.Truthy(bound[1]) ? indentation + result : result;
    }

    /// <summary>Jinja2 filters that use string operations directly (not str()) fail on other types as Python does.</summary>
    private static string RequireText(object? value, string op) => value switch
    {
        string s => s,
        Undefined u => throw u.Fail(),
        PyList { Kind: SeqKind.List } => throw new JinjaException("AttributeError", "'list' object has no attribute 'splitlines'"),
        _ => throw JinjaException.Type($"unsupported operand type(s) for {op}: '{PyOps.TypeName(value)}' and 'str'"),
    };
}
