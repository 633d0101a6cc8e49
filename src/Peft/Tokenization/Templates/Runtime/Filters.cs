using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Peft.Tokenization.Templates.Runtime;

/// <summary>A Jinja2 filter (<c>value | name(args)</c>).</summary>
internal sealed class BuiltinFilter(string name, Func<Interpreter, object?, Arguments, object?> apply)
{
    public string Name { get; } = name;

    public object? Apply(Interpreter interpreter, object? value, Arguments args) => apply(interpreter, value, args);
}

/// <summary>
/// Jinja2 3.1's built-in filters as transformers sees them (<c>tojson</c> replaced by <c>json.dumps</c> with
/// <c>ensure_ascii=False</c>); autoescaping is off, so <c>escape</c> returns escaped text and <c>safe</c> is identity.
/// </summary>
internal static partial class Filters
{
    /// <summary>Jinja2 filters this renderer does not implement; using one is a parse-time NotSupported error.</summary>
    private static readonly HashSet<string> Unimplemented = ["filesizeformat", "groupby", "pprint", "random", "striptags", "urlencode", "urlize", "wordwrap", "xmlattr"];

    private static readonly Dictionary<string, BuiltinFilter> Map = Build();

    public static BuiltinFilter? Find(string name) => Map.GetValueOrDefault(name);

    public static bool IsJinjaBuiltin(string name) => Unimplemented.Contains(name);

    /// <summary>A filter that fails when used: Jinja2 defers unknown filters inside <c>if</c> blocks to render time.</summary>
    public static BuiltinFilter Missing(string name) =>
        new(name, (_, _, _) => throw new JinjaException(JinjaException.RuntimeError, $"No filter named {PyRepr.Repr(name)} found."));

    [GeneratedRegex(@"([-\s({\[<]+)")]
    private static partial Regex WordBeginningSplit();

    [GeneratedRegex(@"\w+")]
    private static partial Regex Word();

    private static Dictionary<string, BuiltinFilter> Build()
    {
        var map = new Dictionary<string, BuiltinFilter>(StringComparer.Ordinal);
        void Add(string name, Func<Interpreter, object?, Arguments, object?> body, params string[] aliases)
        {
            map[name] = new BuiltinFilter(name, body);
            foreach (var alias in aliases)
            {
                map[alias] = new BuiltinFilter(alias, body);
            }
        }

        Add("abs", (_, v, a) => Abs(v, a));
        Add("attr", (_, v, a) => Attr(v, PyRepr.Str(a.Bind("attr", ["name"], 1)[0])));
        Add("capitalize", (_, v, a) => PyString.Capitalize(Str(v, a, "capitalize")));
        Add("center", (_, v, a) => PyString.Center(PyRepr.Str(v), PyOps.AsLong(a.Bind("center", ["width"], 0, 80L)[0])));
        Add("default", (_, v, a) => Default(v, a), "d");
        Add("escape", (_, v, a) => Escape(v, a), "e", "forceescape");
        Add("first", (_, v, a) => First(v, a));
        Add("float", (_, v, a) => ToFloat(v, a));
        Add("format", (_, v, a) => Format(v, a));
        Add("indent", (_, v, a) => Indent(v, a));
        Add("int", (_, v, a) => ToInt(v, a));
        Add("items", (_, v, a) => Items(v, a));
        Add("join", (i, v, a) => Join(i, v, a));
        Add("last", (_, v, a) => Last(v, a));
        Add("length", (_, v, a) => Length(v, a), "count");
        Add("list", (_, v, a) => ToList(v, a));
        Add("lower", (_, v, a) => PyString.Lower(Str(v, a, "lower")));
        Add("replace", (_, v, a) => Replace(v, a));
        Add("reverse", (_, v, a) => Reverse(v, a));
        Add("round", (_, v, a) => Round(v, a));
        Add("safe", (_, v, a) => Str(v, a, "safe"));
        Add("string", (_, v, a) => Str(v, a, "string"));
        Add("title", (_, v, a) => Title(Str(v, a, "title")));
        Add("tojson", (_, v, a) => ToJson(v, a));
        Add("trim", (_, v, a) => PyString.Strip(PyRepr.Str(v), a.Bind("trim", ["chars"], 0, [null])[0] as string));
        Add("truncate", (_, v, a) => Truncate(v, a));
        Add("upper", (_, v, a) => PyString.Upper(Str(v, a, "upper")));
        Add("wordcount", (_, v, a) => (long)Word().Matches(Str(v, a, "wordcount")).Count);
        AddSequenceFilters(Add);
        return map;
    }

    private static string Str(object? value, Arguments args, string name)
    {
        args.Bind(name, [], 0);
        return PyRepr.Str(value);
    }

    private static object? Abs(object? value, Arguments args)
    {
        args.Bind("abs", [], 0);
        return value switch
        {
            long l => (object)checked(Math.Abs(l)),
            double d => Math.Abs(d),
            bool b => b ? 1L : 0L,
            _ => throw JinjaException.Type($"bad operand type for abs(): '{PyOps.TypeName(value)}'"),
        };
    }

    private static object? Attr(object? obj, string name) => obj switch
    {
        PyDict or PyList or string => PyAccess.GetAttr(obj, name) is var r && r is BoundMethod or Undefined ? r : Undefined.ForMember(obj, name),
        _ => PyAccess.GetAttr(obj, name),
    };

    private static object? Default(object? value, Arguments args)
    {
        var bound = args.Bind("default", ["default_value", "boolean"], 0, "", false);
        return value is Undefined || (PyOps.Truthy(bound[1]) && !PyOps.Truthy(value)) ? bound[0] : value;
    }

    private static string Escape(object? value, Arguments args)
    {
        args.Bind("escape", [], 0);
        var s = PyRepr.Str(value);
        var sb = new StringBuilder(s.Length);
        foreach (var c in s)
        {
            sb.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&#34;",
                '\'' => "&#39;",
                _ => c.ToString(),
            });
        }

        return sb.ToString();
    }

    private static object? First(object? value, Arguments args)
    {
        args.Bind("first", [], 0);
        foreach (var item in PyAccess.Iterate(value))
        {
            return item;
        }

        return Undefined.WithHint("No first item, sequence was empty.");
    }

    private static object? Last(object? value, Arguments args)
    {
        args.Bind("last", [], 0);
        if (value is PyGenerator g)
        {
            throw JinjaException.Type($"'{g.TypeName}' object is not reversible");
        }

        var items = PyAccess.ToList(value);
        return items.Count > 0 ? items[^1] : Undefined.WithHint("No last item, sequence was empty.");
    }

    private static object? ToFloat(object? value, Arguments args)
    {
        var fallback = args.Bind("float", ["default"], 0, 0.0)[0];
        if (value is Undefined u)
        {
            throw u.Fail();
        }

        return value switch
        {
            double d => d,
            long or bool => PyOps.AsDouble(value),
            string s when TryParsePythonFloat(s, out var parsed) => parsed,
            _ => fallback,
        };
    }

    private static bool TryParsePythonFloat(string s, out double value)
    {
        var t = PyString.Strip(s).Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
        switch (t.TrimStart('+', '-'))
        {
            case "inf" or "infinity":
                value = t.StartsWith('-') ? double.NegativeInfinity : double.PositiveInfinity;
                return true;
            case "nan":
                value = double.NaN;
                return true;
        }

        return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && t.Length > 0 && !t.Contains(',', StringComparison.Ordinal);
    }

    private static object? ToInt(object? value, Arguments args)
    {
        var bound = args.Bind("int", ["default", "base"], 0, 0L, 10L);
        switch (value)
        {
            case Undefined u:
                throw u.Fail();
            case long or bool:
                return PyOps.AsLong(value);
            case double d when !double.IsNaN(d) && !double.IsInfinity(d):
                return (long)Math.Truncate(d);
            case string s:
                var t = PyString.Strip(s).Replace("_", "", StringComparison.Ordinal);
                var radix = (int)PyOps.AsLong(bound[1]);
                try
                {
                    if (radix == 10 && long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
                    {
                        return l;
                    }

                    if (radix != 10 && t.Length > 0)
                    {
                        var negative = t.StartsWith('-');
                        var digits = t.TrimStart('+', '-');
                        if (radix == 16 && digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
                        {
                            digits = digits[2..];
                        }

                        var parsed = Convert.ToInt64(digits, radix);
                        return negative ? -parsed : parsed;
                    }
                }
                catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
                {
                    // fall through to the float quirk below
                }

                return TryParsePythonFloat(s, out var f) && !double.IsNaN(f) && !double.IsInfinity(f) ? (long)Math.Truncate(f) : bound[0];
            default:
                return bound[0];
        }
    }

    private static string Format(object? value, Arguments args)
    {
        if (args.Positional.Length > 0 && args.Keywords.Length > 0)
        {
            throw new JinjaException(JinjaException.FilterArgumentError, "can't handle positional and keyword arguments at the same time");
        }

        object? formatArgs;
        if (args.Keywords.Length > 0)
        {
            var dict = new PyDict();
            foreach (var (k, v) in args.Keywords)
            {
                dict.Set(k, v);
            }

            formatArgs = dict;
        }
        else
        {
            formatArgs = new PyList([.. args.Positional], SeqKind.Tuple);
        }

        return PercentFormat.Format(PyRepr.Str(value), formatArgs);
    }

    private static string Replace(object? value, Arguments args)
    {
        var bound = args.Bind("replace", ["old", "new", "count"], 2, [null]);
        var count = bound[2] is null ? -1 : PyOps.AsLong(bound[2]);
        return PyString.Replace(PyRepr.Str(value), PyRepr.Str(bound[0]), PyRepr.Str(bound[1]), count);
    }

    private static object Round(object? value, Arguments args)
    {
        var bound = args.Bind("round", ["precision", "method"], 0, 0L, "common");
        var precision = (int)PyOps.AsLong(bound[0]);
        var method = bound[1] as string;
        if (method is not ("common" or "ceil" or "floor"))
        {
            throw new JinjaException(JinjaException.FilterArgumentError, "method must be common, ceil or floor");
        }

        if (!PyOps.IsNumber(value))
        {
            throw JinjaException.Type($"type {PyOps.TypeName(value)} doesn't define __round__ method");
        }

        if (method == "common")
        {
            if (PyOps.IsInteger(value) && precision >= 0)
            {
                return PyOps.AsLong(value);
            }

            var d = PyOps.AsDouble(value);
            return PyRound(d, precision);
        }

        var scale = Math.Pow(10, precision);
        var scaled = PyOps.AsDouble(value) * scale;
        return (method == "ceil" ? Math.Ceiling(scaled) : Math.Floor(scaled)) / scale;
    }
}
