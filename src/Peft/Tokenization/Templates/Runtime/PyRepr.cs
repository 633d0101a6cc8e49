using System.Globalization;
using System.Text;

namespace Peft.Tokenization.Templates.Runtime;

/// <summary>Python's <c>str()</c> and <c>repr()</c> of template values: <c>None</c>, <c>True</c>, floats in shortest
/// round-trip form (<c>1.0</c>, <c>1e+16</c>, <c>1.5e-07</c>), <c>['a', 'b']</c>, <c>{'a': 1}</c>, <c>(1,)</c>.</summary>
internal static class PyRepr
{
    public static string Str(object? value) => value switch
    {
        string s => s,
        null => "None",
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => Float(d),
        Undefined => "",
        _ => Repr(value),
    };

    public static string Repr(object? value)
    {
        if (value is string s)
        {
            return StringRepr(s);
        }

        var sb = new StringBuilder();
        AppendRepr(sb, value, 0);
        return sb.ToString();
    }

    private static void AppendRepr(StringBuilder sb, object? value, int depth)
    {
        if (depth > 200)
        {
            throw new JinjaException("RecursionError", "maximum recursion depth exceeded while getting the repr of an object");
        }

        switch (value)
        {
            case string s:
                sb.Append(StringRepr(s));
                break;
            case PyList list:
                AppendList(sb, list, depth);
                break;
            case PyDict dict:
                sb.Append('{');
                var first = true;
                foreach (var (k, v) in dict.Map)
                {
                    if (!first)
                    {
                        sb.Append(", ");
                    }

                    first = false;
                    AppendRepr(sb, PyDict.FromKey(k), depth + 1);
                    sb.Append(": ");
                    AppendRepr(sb, v, depth + 1);
                }

                sb.Append('}');
                break;
            case PyNamespace ns:
                sb.Append("<Namespace {");
                var firstAttr = true;
                foreach (var (k, v) in ns.Attributes)
                {
                    if (!firstAttr)
                    {
                        sb.Append(", ");
                    }

                    firstAttr = false;
                    sb.Append(StringRepr(k)).Append(": ");
                    AppendRepr(sb, v, depth + 1);
                }

                sb.Append("}>");
                break;
            case Undefined:
                sb.Append("Undefined");
                break;
            case PySlice slice:
                sb.Append("slice(").Append(Repr(slice.Start)).Append(", ").Append(Repr(slice.Stop)).Append(", ").Append(Repr(slice.Step)).Append(')');
                break;
            case PyGenerator g:
                sb.Append('<').Append(g.TypeName).Append(" object>");
                break;
            case PyCallable c:
                sb.Append(c.ReprText);
                break;
            case LoopContext loop:
                sb.Append("<LoopContext ").Append(loop.Index0 + 1).Append('/').Append(loop.Length).Append('>');
                break;
            case PyRange r:
                sb.Append(r.ToString());
                break;
            default:
                sb.Append(Str(value));
                break;
        }
    }

    private static void AppendList(StringBuilder sb, PyList list, int depth)
    {
        var (open, close) = list.Kind switch
        {
            SeqKind.Tuple => ("(", ")"),
            SeqKind.DictItems => ("dict_items([", "])"),
            SeqKind.DictKeys => ("dict_keys([", "])"),
            SeqKind.DictValues => ("dict_values([", "])"),
            _ => ("[", "]"),
        };
        sb.Append(open);
        for (var i = 0; i < list.Items.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            AppendRepr(sb, list.Items[i], depth + 1);
        }

        if (list.Kind == SeqKind.Tuple && list.Items.Count == 1)
        {
            sb.Append(',');
        }

        sb.Append(close);
    }

    /// <summary>Python's <c>repr(float)</c>: shortest round-trip digits; scientific below 1e-4 and from 1e16.</summary>
    public static string Float(double d)
    {
        if (double.IsNaN(d))
        {
            return "nan";
        }

        if (double.IsInfinity(d))
        {
            return d > 0 ? "inf" : "-inf";
        }

        if (d == 0)
        {
            return double.IsNegative(d) ? "-0.0" : "0.0";
        }

        // "R" gives the shortest digits that round-trip, which is what Python's repr uses.
        var (digits, exponent) = Decompose(d.ToString("R", CultureInfo.InvariantCulture));
        var negative = d < 0;
        var sb = new StringBuilder();
        if (negative)
        {
            sb.Append('-');
        }

        if (exponent < -4 || exponent >= 16)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1)
            {
                sb.Append('.').Append(digits, 1, digits.Length - 1);
            }

            sb.Append('e').Append(exponent < 0 ? '-' : '+').Append(Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture));
            return sb.ToString();
        }

        if (exponent < 0)
        {
            sb.Append("0.").Append('0', -exponent - 1).Append(digits);
        }
        else if (digits.Length <= exponent + 1)
        {
            sb.Append(digits).Append('0', exponent + 1 - digits.Length).Append(".0");
        }
        else
        {
            sb.Append(digits, 0, exponent + 1).Append('.').Append(digits, exponent + 1, digits.Length - exponent - 1);
        }

        return sb.ToString();
    }

    /// <summary>Significant digits (no leading/trailing zeros) and decimal exponent of a round-trip string.</summary>
    private static (string Digits, int Exponent) Decompose(string shortest)
    {
        var s = shortest.TrimStart('-');
        var exponent = 0;
        var e = s.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(s[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            s = s[..e];
        }

        var dot = s.IndexOf('.', StringComparison.Ordinal);
        var intPart = dot >= 0 ? s[..dot] : s;
        var fracPart = dot >= 0 ? s[(dot + 1)..] : "";
        var all = intPart + fracPart;
        var firstNonZero = 0;
        while (firstNonZero < all.Length && all[firstNonZero] == '0')
        {
            firstNonZero++;
        }

        if (firstNonZero == all.Length)
        {
            return ("0", 0);
        }

        var decimalExponent = intPart.Length - 1 - firstNonZero + exponent;
        var digits = all[firstNonZero..].TrimEnd('0');
        return (digits.Length == 0 ? "0" : digits, decimalExponent);
    }

    /// <summary>Python's <c>repr(str)</c>: single quotes unless the text has a single quote and no double quote.</summary>
    public static string StringRepr(string s)
    {
        var quote = s.Contains('\'', StringComparison.Ordinal) && !s.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        var sb = new StringBuilder(s.Length + 2);
        sb.Append(quote);
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == quote || c == '\\')
            {
                sb.Append('\\').Append(c);
            }
            else if (c == '\t')
            {
                sb.Append("\\t");
            }
            else if (c == '\n')
            {
                sb.Append("\\n");
            }
            else if (c == '\r')
            {
                sb.Append("\\r");
            }
            else if (c < ' ' || c == '\x7f')
            {
                sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
            }
            else if (c < '\x7f')
            {
                sb.Append(c);
            }
            else if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                var cp = char.ConvertToUtf32(c, s[i + 1]);
                if (IsPrintable(CharUnicodeInfo.GetUnicodeCategory(cp)))
                {
                    sb.Append(c).Append(s[i + 1]);
                }
                else
                {
                    sb.Append("\\U").Append(cp.ToString("x8", CultureInfo.InvariantCulture));
                }

                i++;
            }
            else if (char.IsSurrogate(c) || !IsPrintable(CharUnicodeInfo.GetUnicodeCategory(c)))
            {
                sb.Append(c < '\u0100' ? "\\x" + ((int)c).ToString("x2", CultureInfo.InvariantCulture) : "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.Append(quote).ToString();
    }

    private static bool IsPrintable(UnicodeCategory category) => category switch
    {
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
            or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
            or UnicodeCategory.SpaceSeparator => false,
        _ => true,
    };
}
