using System.Globalization;
using System.Text;

namespace Peft.Adapters;

/// <summary>
/// Writes JSON exactly as Python's <c>json.dumps(value, indent=2, sort_keys=True)</c> does (PEFT's
/// <c>adapter_config.json</c>): keys sorted by code point, two-space indentation, <c>", "</c>-free separators,
/// non-ASCII escaped as <c>\uXXXX</c>, floats in <c>repr</c> notation (<c>0.0</c>, <c>0.05</c>, <c>1e-05</c>).
/// Values are <c>null</c>, <c>bool</c>, <c>string</c>, <c>int</c>/<c>long</c>, <see cref="double"/> (always a float),
/// <see cref="IEnumerable{T}"/> of values, or <see cref="IDictionary{TKey,TValue}"/> of string keys.
/// </summary>
internal static class PythonJson
{
    public static string Serialize(object? value)
    {
        var builder = new StringBuilder();
        Write(builder, value, 0);
        return builder.ToString();
    }

    private static void Write(StringBuilder b, object? value, int depth)
    {
        switch (value)
        {
            case null:
                b.Append("null");
                break;
            case bool flag:
                b.Append(flag ? "true" : "false");
                break;
            case string text:
                WriteString(b, text);
                break;
            case int or long:
                b.Append(Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture));
                break;
            case double number:
                b.Append(FloatRepr(number));
                break;
            case IDictionary<string, object?> map:
                WriteObject(b, map, depth);
                break;
            case System.Collections.IEnumerable items:
                WriteArray(b, items.Cast<object?>().ToList(), depth);
                break;
            default:
                throw new ArgumentException($"Cannot write a {value.GetType().Name} as JSON.", nameof(value));
        }
    }

    private static void WriteObject(StringBuilder b, IDictionary<string, object?> map, int depth)
    {
        if (map.Count == 0)
        {
            b.Append("{}");
            return;
        }

        b.Append('{');
        var first = true;
        foreach (var key in map.Keys.OrderBy(k => k, StringComparer.Ordinal))
        {
            b.Append(first ? "\n" : ",\n").Append(' ', 2 * (depth + 1));
            first = false;
            WriteString(b, key);
            b.Append(": ");
            Write(b, map[key], depth + 1);
        }

        b.Append('\n').Append(' ', 2 * depth).Append('}');
    }

    private static void WriteArray(StringBuilder b, List<object?> items, int depth)
    {
        if (items.Count == 0)
        {
            b.Append("[]");
            return;
        }

        b.Append('[');
        for (var i = 0; i < items.Count; i++)
        {
            b.Append(i == 0 ? "\n" : ",\n").Append(' ', 2 * (depth + 1));
            Write(b, items[i], depth + 1);
        }

        b.Append('\n').Append(' ', 2 * depth).Append(']');
    }

    private static void WriteString(StringBuilder b, string text)
    {
        b.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': b.Append("\\\""); break;
                case '\\': b.Append("\\\\"); break;
                case '\n': b.Append("\\n"); break;
                case '\r': b.Append("\\r"); break;
                case '\t': b.Append("\\t"); break;
                case '\b': b.Append("\\b"); break;
                case '\f': b.Append("\\f"); break;
                default:
                    if (c < ' ' || c > '~')
                    {
                        b.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        b.Append(c);
                    }

                    break;
            }
        }

        b.Append('"');
    }

    /// <summary>Python's <c>repr(float)</c>: the shortest round-trip digits, fixed notation for 1e-4 ≤ |x| &lt; 1e16.</summary>
    public static string FloatRepr(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "Infinity" : "-Infinity";
        }

        var sign = value < 0 || (value == 0 && double.IsNegative(value)) ? "-" : string.Empty;
        var shortest = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        var ePos = shortest.IndexOfAny(new[] { 'E', 'e' });
        var mantissa = ePos < 0 ? shortest : shortest[..ePos];
        var exponent = ePos < 0 ? 0 : int.Parse(shortest[(ePos + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var dot = mantissa.IndexOf('.');
        var intPart = dot < 0 ? mantissa : mantissa[..dot];
        var digits = (intPart + (dot < 0 ? string.Empty : mantissa[(dot + 1)..])).TrimStart('0');
        var leadingZeros = (intPart + (dot < 0 ? string.Empty : mantissa[(dot + 1)..])).Length - digits.Length;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0)
        {
            return sign + "0.0";
        }

        // value = 0.d1d2d3… × 10^decpt
        var decpt = intPart.Length + exponent - leadingZeros;
        if (decpt <= -4 || decpt > 16)
        {
            var e = decpt - 1;
            var m = digits.Length == 1 ? digits : digits[..1] + "." + digits[1..];
            return $"{sign}{m}e{(e < 0 ? "-" : "+")}{Math.Abs(e):00}";
        }

        if (decpt <= 0)
        {
            return $"{sign}0.{new string('0', -decpt)}{digits}";
        }

        return decpt >= digits.Length
            ? $"{sign}{digits}{new string('0', decpt - digits.Length)}.0"
            : $"{sign}{digits[..decpt]}.{digits[decpt..]}";
    }
}
