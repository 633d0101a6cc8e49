using System.Globalization;
using System.Text;

namespace Peft.Tokenization.Templates.Runtime;

/// <summary>
/// Python's <c>json.dumps</c>, which transformers installs as the <c>tojson</c> filter (with
/// <c>ensure_ascii=False</c>): separators <c>", "</c>/<c>": "</c> (<c>","</c> between items when indenting),
/// floats as Python's repr, <c>NaN</c>/<c>Infinity</c>, no HTML escaping.
/// </summary>
internal static class PyJson
{
    public static string Dumps(object? value, bool ensureAscii, string? indent, string? itemSeparator, string? keySeparator, bool sortKeys)
    {
        var sb = new StringBuilder();
        var writer = new Writer(sb, ensureAscii, indent, itemSeparator ?? (indent is null ? ", " : ","), keySeparator ?? ": ", sortKeys);
        writer.Write(value, 0);
        return sb.ToString();
    }

    public static void AppendString(StringBuilder sb, string s, bool ensureAscii)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                case '\b':
                    sb.Append("\\b");
                    break;
                case '\f':
                    sb.Append("\\f");
                    break;
                default:
                    if (c < ' ' || (ensureAscii && c > '~'))
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }

    private sealed class Writer(StringBuilder sb, bool ensureAscii, string? indent, string itemSeparator, string keySeparator, bool sortKeys)
    {
        public void Write(object? value, int level)
        {
            if (level > 500)
            {
                throw new JinjaException("RecursionError", "maximum recursion depth exceeded while encoding a JSON object");
            }

            switch (value)
            {
                case null:
                    sb.Append("null");
                    break;
                case bool b:
                    sb.Append(b ? "true" : "false");
                    break;
                case long l:
                    sb.Append(l.ToString(CultureInfo.InvariantCulture));
                    break;
                case double d:
                    sb.Append(FloatText(d));
                    break;
                case string s:
                    AppendString(sb, s, ensureAscii);
                    break;
                case PyList { IsSequence: true } list:
                    WriteList(list.Items, level);
                    break;
                case PyDict dict:
                    WriteDict(dict, level);
                    break;
                default:
                    throw JinjaException.Type($"Object of type {PyOps.TypeName(value)} is not JSON serializable");
            }
        }

        private static string FloatText(double d) =>
            double.IsNaN(d) ? "NaN" : double.IsPositiveInfinity(d) ? "Infinity" : double.IsNegativeInfinity(d) ? "-Infinity" : PyRepr.Float(d);

        private void NewLine(int level)
        {
            if (indent is not null)
            {
                sb.Append('\n');
                for (var i = 0; i < level; i++)
                {
                    sb.Append(indent);
                }
            }
        }

        private void WriteList(List<object?> items, int level)
        {
            if (items.Count == 0)
            {
                sb.Append("[]");
                return;
            }

            sb.Append('[');
            for (var i = 0; i < items.Count; i++)
            {
                if (i > 0)
                {
                    sb.Append(itemSeparator);
                }

                NewLine(level + 1);
                Write(items[i], level + 1);
            }

            NewLine(level);
            sb.Append(']');
        }

        private void WriteDict(PyDict dict, int level)
        {
            if (dict.Count == 0)
            {
                sb.Append("{}");
                return;
            }

            IEnumerable<KeyValuePair<object, object?>> entries = dict.Map;
            if (sortKeys)
            {
                var list = dict.Map.ToList();
                PyOps.Sort(list, (a, b) => PyOps.Order(PyDict.FromKey(a.Key), PyDict.FromKey(b.Key)) < 0);
                entries = list;
            }

            sb.Append('{');
            var first = true;
            foreach (var (key, value) in entries)
            {
                if (!first)
                {
                    sb.Append(itemSeparator);
                }

                first = false;
                NewLine(level + 1);
                AppendString(sb, KeyText(PyDict.FromKey(key)), ensureAscii);
                sb.Append(keySeparator);
                Write(value, level + 1);
            }

            NewLine(level);
            sb.Append('}');
        }

        private static string KeyText(object? key) => key switch
        {
            string s => s,
            null => "null",
            bool b => b ? "true" : "false",
            long l => l.ToString(CultureInfo.InvariantCulture),
            double d => FloatText(d),
            _ => throw JinjaException.Type($"keys must be str, int, float, bool or None, not {PyOps.TypeName(key)}"),
        };
    }
}
