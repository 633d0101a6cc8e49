using System.Globalization;
using System.Text;

namespace Peft.Tokenization.Templates.Runtime;

/// <summary>Python's <c>str.format</c> (as the sandbox allows it): <c>{}</c>, <c>{0}</c>, <c>{name}</c>,
/// <c>{x.attr}</c>, <c>{x[key]}</c>, <c>!r</c>/<c>!s</c>, and the format-spec mini-language.</summary>
internal static class StrFormat
{
    public static string Format(string template, Arguments args, PyDict? mapping = null)
    {
        var sb = new StringBuilder();
        var auto = 0;
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (c == '}')
            {
                if (i + 1 < template.Length && template[i + 1] == '}')
                {
                    sb.Append('}');
                    i++;
                    continue;
                }

                throw JinjaException.Value("Single '}' encountered in format string");
            }

            if (c != '{')
            {
                sb.Append(c);
                continue;
            }

            if (i + 1 < template.Length && template[i + 1] == '{')
            {
                sb.Append('{');
                i++;
                continue;
            }

            var depth = 1;
            var j = i + 1;
            while (j < template.Length && depth > 0)
            {
                depth += template[j] == '{' ? 1 : template[j] == '}' ? -1 : 0;
                j++;
            }

            if (depth > 0)
            {
                throw JinjaException.Value("expected '}' before end of string");
            }

            var field = template[(i + 1)..(j - 1)];
            sb.Append(FormatField(field, args, mapping, ref auto));
            i = j - 1;
        }

        return sb.ToString();
    }

    private static string FormatField(string field, Arguments args, PyDict? mapping, ref int auto)
    {
        var spec = "";
        var colon = field.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            spec = field[(colon + 1)..];
            field = field[..colon];
        }

        var conversion = '\0';
        var bang = field.IndexOf('!', StringComparison.Ordinal);
        if (bang >= 0)
        {
            conversion = field.Length > bang + 1 ? field[bang + 1] : throw JinjaException.Value("end of string while looking for conversion specifier");
            field = field[..bang];
        }

        var nameEnd = field.IndexOfAny(['.', '[']);
        var head = nameEnd < 0 ? field : field[..nameEnd];
        object? value;
        if (head.Length == 0)
        {
            value = auto < args.Positional.Length ? args.Positional[auto++] : throw new JinjaException("IndexError", $"Replacement index {auto} out of range for positional args tuple");
        }
        else if (int.TryParse(head, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            value = index < args.Positional.Length ? args.Positional[index] : throw new JinjaException("IndexError", $"Replacement index {index} out of range for positional args tuple");
        }
        else
        {
            var found = args.Keywords.FirstOrDefault(k => k.Key == head);
            if (found.Key is not null)
            {
                value = found.Value;
            }
            else if (mapping is not null && mapping.TryGet(head, out var mapped))
            {
                value = mapped;
            }
            else
            {
                throw new JinjaException("KeyError", PyRepr.Repr(head));
            }
        }

        var rest = nameEnd < 0 ? "" : field[nameEnd..];
        var k = 0;
        while (k < rest.Length)
        {
            if (rest[k] == '.')
            {
                var end = rest.IndexOfAny(['.', '['], k + 1);
                end = end < 0 ? rest.Length : end;
                value = PyAccess.GetAttr(value, rest[(k + 1)..end]);
                k = end;
            }
            else
            {
                var end = rest.IndexOf(']', k);
                var key = rest[(k + 1)..end];
                value = PyAccess.GetItem(value, long.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : key);
                k = end + 1;
            }
        }

        value = conversion switch
        {
            'r' or 'a' => PyRepr.Repr(value),
            's' => PyRepr.Str(value),
            '\0' => value,
            _ => throw JinjaException.Value($"Unknown conversion specifier {conversion}"),
        };
        return ApplySpec(value, spec);
    }

    /// <summary>Python's <c>format(value, spec)</c>.</summary>
    public static string ApplySpec(object? value, string spec)
    {
        if (spec.Length == 0)
        {
            return PyRepr.Str(value);
        }

        var i = 0;
        var fill = ' ';
        var align = '\0';
        if (spec.Length >= 2 && spec[1] is '<' or '>' or '^' or '=')
        {
            fill = spec[0];
            align = spec[1];
            i = 2;
        }
        else if (spec[0] is '<' or '>' or '^' or '=')
        {
            align = spec[0];
            i = 1;
        }

        var sign = '-';
        if (i < spec.Length && spec[i] is '+' or '-' or ' ')
        {
            sign = spec[i++];
        }

        var alternate = i < spec.Length && spec[i] == '#' && ++i > 0;
        if (i < spec.Length && spec[i] == '0' && align == '\0')
        {
            fill = '0';
            align = '=';
            i++;
        }

        var widthStart = i;
        while (i < spec.Length && char.IsAsciiDigit(spec[i]))
        {
            i++;
        }

        var width = i > widthStart ? int.Parse(spec.AsSpan(widthStart, i - widthStart), CultureInfo.InvariantCulture) : 0;
        var grouping = i < spec.Length && spec[i] is ',' or '_' ? spec[i++] : '\0';
        int? precision = null;
        if (i < spec.Length && spec[i] == '.')
        {
            var ps = ++i;
            while (i < spec.Length && char.IsAsciiDigit(spec[i]))
            {
                i++;
            }

            precision = int.Parse(spec.AsSpan(ps, i - ps), CultureInfo.InvariantCulture);
        }

        var type = i < spec.Length ? spec[i++] : '\0';
        if (i != spec.Length)
        {
            throw JinjaException.Value("Invalid format specifier");
        }

        string body;
        var negative = false;
        switch (value)
        {
            case string s when type is '\0' or 's':
                body = precision is { } p && p < s.Length ? s[..p] : s;
                return Pad(body, "", width, fill, align == '\0' ? '<' : align);
            case bool or long when type is '\0' or 'd' or 'n' or 'x' or 'X' or 'o' or 'b' or 'c':
                var n = PyOps.AsLong(value);
                negative = n < 0;
                var abs = (ulong)Math.Abs((decimal)n);
                body = type switch
                {
                    'x' => (alternate ? "0x" : "") + abs.ToString("x", CultureInfo.InvariantCulture),
                    'X' => (alternate ? "0X" : "") + abs.ToString("X", CultureInfo.InvariantCulture),
                    'o' => (alternate ? "0o" : "") + Convert.ToString((long)abs, 8),
                    'b' => (alternate ? "0b" : "") + Convert.ToString((long)abs, 2),
                    'c' => char.ConvertFromUtf32((int)abs),
                    _ => grouping == '\0' ? abs.ToString(CultureInfo.InvariantCulture) : abs.ToString("#,0", CultureInfo.InvariantCulture).Replace(',', grouping),
                };
                if (value is bool && type == '\0')
                {
                    body = PyRepr.Str(value);
                }

                break;
            case bool or long or double when type is '\0' or 'e' or 'E' or 'f' or 'F' or 'g' or 'G' or '%':
                var d = PyOps.AsDouble(value);
                negative = d < 0 || (d == 0 && double.IsNegative(d));
                var a = Math.Abs(d);
                body = type switch
                {
                    '%' => NumberFormat.Float(a * 100, 'f', precision ?? 6, alternate) + "%",
                    '\0' when precision is null => PyRepr.Float(a),
                    '\0' => GeneralAtLeastOneDecimal(a, precision!.Value, alternate),
                    _ => NumberFormat.Float(a, type, precision ?? 6, alternate),
                };
                if (grouping != '\0' && type is 'f' or 'F' or '%')
                {
                    var dot = body.IndexOf('.', StringComparison.Ordinal);
                    var intPart = dot < 0 ? body : body[..dot];
                    if (long.TryParse(intPart, NumberStyles.None, CultureInfo.InvariantCulture, out var ip))
                    {
                        body = ip.ToString("#,0", CultureInfo.InvariantCulture).Replace(',', grouping) + (dot < 0 ? "" : body[dot..]);
                    }
                }

                break;
            case null or Undefined or PyList or PyDict when type == '\0':
                throw JinjaException.Type($"unsupported format string passed to {PyOps.TypeName(value)}.__format__");
            default:
                throw JinjaException.Value($"Unknown format code '{type}' for object of type '{PyOps.TypeName(value)}'");
        }

        var signText = negative ? "-" : sign == '+' ? "+" : sign == ' ' ? " " : "";
        return Pad(body, signText, width, fill, align == '\0' ? '>' : align);
    }

    private static string GeneralAtLeastOneDecimal(double value, int precision, bool alternate)
    {
        var text = NumberFormat.Float(value, 'g', precision, alternate);
        return text.Contains('.', StringComparison.Ordinal) || text.Contains('e', StringComparison.Ordinal) || text is "inf" or "nan" ? text : text + ".0";
    }

    private static string Pad(string body, string sign, int width, char fill, char align)
    {
        var length = PyString.Length(body) + sign.Length;
        if (length >= width)
        {
            return sign + body;
        }

        var padding = width - length;
        return align switch
        {
            '<' => sign + body + new string(fill, padding),
            '^' => new string(fill, padding / 2) + sign + body + new string(fill, padding - (padding / 2)),
            '=' => sign + new string(fill, padding) + body,
            _ => new string(fill, padding) + sign + body,
        };
    }
}
