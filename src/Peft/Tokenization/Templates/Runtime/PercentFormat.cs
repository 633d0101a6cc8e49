using System.Globalization;
using System.Text;

namespace Peft.Tokenization.Templates.Runtime;

/// <summary>Python's printf-style <c>format % args</c> (also behind Jinja2's <c>format</c> filter).</summary>
internal static class PercentFormat
{
    public static string Format(string format, object? args)
    {
        var mapping = args as PyDict;
        var values = args is PyList { Kind: SeqKind.Tuple } tuple ? tuple.Items : [args];
        var next = 0;
        var usedMapping = false;
        var sb = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c != '%')
            {
                sb.Append(c);
                continue;
            }

            if (++i >= format.Length)
            {
                throw JinjaException.Value("incomplete format");
            }

            object? value = null;
            var hasValue = false;
            if (format[i] == '(')
            {
                var close = format.IndexOf(')', i);
                if (close < 0)
                {
                    throw JinjaException.Value("incomplete format key");
                }

                if (mapping is null)
                {
                    throw JinjaException.Type("format requires a mapping");
                }

                var key = format[(i + 1)..close];
                value = mapping.TryGet(key, out var v) ? v : throw new JinjaException("KeyError", PyRepr.Repr(key));
                hasValue = usedMapping = true;
                i = close + 1;
            }

            var flags = "";
            while (i < format.Length && format[i] is '-' or '+' or ' ' or '#' or '0')
            {
                flags += format[i++];
            }

            int? width = null;
            if (i < format.Length && format[i] == '*')
            {
                width = (int)PyOps.AsLong(Take(values, ref next));
                i++;
            }
            else
            {
                width = ReadInt(format, ref i);
            }

            int? precision = null;
            if (i < format.Length && format[i] == '.')
            {
                i++;
                if (i < format.Length && format[i] == '*')
                {
                    precision = (int)PyOps.AsLong(Take(values, ref next));
                    i++;
                }
                else
                {
                    precision = ReadInt(format, ref i) ?? 0;
                }
            }

            while (i < format.Length && format[i] is 'h' or 'l' or 'L')
            {
                i++;
            }

            if (i >= format.Length)
            {
                throw JinjaException.Value("incomplete format");
            }

            var type = format[i];
            if (type == '%')
            {
                sb.Append('%');
                continue;
            }

            if (!hasValue)
            {
                value = Take(values, ref next);
            }

            var text = Convert(type, value, precision, flags.Contains('#', StringComparison.Ordinal), flags);
            var w = width ?? 0;
            if (text.Length < w)
            {
                if (flags.Contains('-', StringComparison.Ordinal))
                {
                    text = text.PadRight(w);
                }
                else if (flags.Contains('0', StringComparison.Ordinal) && type is not ('s' or 'r' or 'a' or 'c'))
                {
                    var sign = text.Length > 0 && text[0] is '-' or '+' or ' ' ? text[..1] : "";
                    text = sign + text[sign.Length..].PadLeft(w - sign.Length, '0');
                }
                else
                {
                    text = text.PadLeft(w);
                }
            }

            sb.Append(text);
        }

        // Python skips this check when the argument has __getitem__ (a dict, a list, an undefined value).
        var mappingLike = args is PyDict or PyList { Kind: SeqKind.List } or Undefined;
        if (!usedMapping && !mappingLike && next < values.Count)
        {
            throw JinjaException.Type("not all arguments converted during string formatting");
        }

        return sb.ToString();
    }

    private static object? Take(List<object?> values, ref int next) =>
        next < values.Count ? values[next++] : throw JinjaException.Type("not enough arguments for format string");

    private static int? ReadInt(string s, ref int i)
    {
        var start = i;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
        }

        return i > start ? int.Parse(s.AsSpan(start, i - start), CultureInfo.InvariantCulture) : null;
    }

    private static string Convert(char type, object? value, int? precision, bool alternate, string flags)
    {
        string Signed(string digits, bool negative) =>
            negative ? "-" + digits : flags.Contains('+', StringComparison.Ordinal) ? "+" + digits : flags.Contains(' ', StringComparison.Ordinal) ? " " + digits : digits;

        switch (type)
        {
            case 's':
                var s = PyRepr.Str(value);
                return precision is { } p && p < s.Length ? s[..p] : s;
            case 'r' or 'a':
                var r = PyRepr.Repr(value);
                return precision is { } rp && rp < r.Length ? r[..rp] : r;
            case 'd' or 'i' or 'u':
                var n = ToInteger(value, type);
                return Signed(Math.Abs((decimal)n).ToString(CultureInfo.InvariantCulture), n < 0);
            case 'x' or 'X' or 'o':
                var m = ToInteger(value, type);
                var abs = (ulong)Math.Abs((decimal)m);
                var digits = type == 'o' ? System.Convert.ToString((long)abs, 8) : abs.ToString(type == 'x' ? "x" : "X", CultureInfo.InvariantCulture);
                var prefix = alternate ? (type == 'o' ? "0o" : type == 'x' ? "0x" : "0X") : "";
                return Signed(prefix + digits, m < 0);
            case 'e' or 'E' or 'f' or 'F' or 'g' or 'G':
                if (!PyOps.IsNumber(value))
                {
                    throw JinjaException.Type($"must be real number, not {PyOps.TypeName(value)}");
                }

                var f = PyOps.AsDouble(value);
                var body = NumberFormat.Float(Math.Abs(f), type, precision ?? 6, alternate);
                return Signed(body, f < 0 || (f == 0 && double.IsNegative(f)));
            case 'c':
                return value is string { Length: > 0 } ch ? ch : char.ConvertFromUtf32((int)PyOps.AsLong(value));
            default:
                throw JinjaException.Value($"unsupported format character '{type}' (0x{(int)type:x})");
        }
    }

    private static long ToInteger(object? value, char type) => value switch
    {
        long or bool => PyOps.AsLong(value),
        double d => (long)Math.Truncate(d),
        _ => throw JinjaException.Type($"%{type} format: a real number is required, not {PyOps.TypeName(value)}"),
    };
}
