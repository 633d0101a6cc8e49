namespace Peft.Tokenization.Templates.Runtime;

/// <summary>
/// Global names of transformers' chat-template environment: Jinja2's <c>range</c>, <c>dict</c>, <c>namespace</c>,
/// <c>cycler</c>, <c>joiner</c>, plus transformers' <c>raise_exception(msg)</c> and <c>strftime_now(fmt)</c>.
/// </summary>
internal static class Globals
{
    private static readonly Dictionary<string, object?> Values = new(StringComparer.Ordinal)
    {
        ["range"] = new BuiltinFunction("range", (_, a) => Range(a)),
        ["dict"] = new BuiltinFunction("dict", (_, a) => Dict(a)),
        ["namespace"] = new BuiltinFunction("namespace", (_, a) => Namespace(a)),
        ["raise_exception"] = new BuiltinFunction("raise_exception", (_, a) => RaiseException(a)),
        ["strftime_now"] = new BuiltinFunction("strftime_now", StrftimeNow),
        ["cycler"] = new BuiltinFunction("cycler", (_, a) => new Cycler(a.Positional)),
        ["joiner"] = new BuiltinFunction("joiner", (_, a) => new Joiner(PyRepr.Str(a.Bind("joiner", ["sep"], 0, ", ")[0]))),
    };

    public static bool TryGet(string name, out object? value) => Values.TryGetValue(name, out value);

    private static PyRange Range(Arguments args)
    {
        if (args.Keywords.Length > 0)
        {
            throw JinjaException.Type("range() takes no keyword arguments");
        }

        var p = args.Positional;
        if (p.Length is < 1 or > 3)
        {
            throw JinjaException.Type($"range expected at most 3 arguments, got {p.Length}");
        }

        long Int(object? v) => PyOps.IsInteger(v) ? PyOps.AsLong(v) : throw JinjaException.Type($"'{PyOps.TypeName(v)}' object cannot be interpreted as an integer");
        return p.Length == 1 ? new PyRange(0, Int(p[0]), 1) : new PyRange(Int(p[0]), Int(p[1]), p.Length == 3 ? Int(p[2]) : 1);
    }

    private static PyDict Dict(Arguments args)
    {
        var dict = new PyDict();
        if (args.Positional.Length > 1)
        {
            throw JinjaException.Type($"dict expected at most 1 argument, got {args.Positional.Length}");
        }

        if (args.Positional.Length == 1)
        {
            FillFrom(dict, args.Positional[0]);
        }

        foreach (var (k, v) in args.Keywords)
        {
            dict.Set(k, v);
        }

        return dict;
    }

    private static void FillFrom(PyDict dict, object? source)
    {
        if (source is PyDict other)
        {
            foreach (var (k, v) in other.Map)
            {
                dict.Map[k] = v;
            }

            return;
        }

        foreach (var pair in PyAccess.Iterate(source))
        {
            var items = PyAccess.ToList(pair);
            if (items.Count != 2)
            {
                throw JinjaException.Value($"dictionary update sequence element has length {items.Count}; 2 is required");
            }

            PyOps.Hash(items[0]);
            dict.Set(items[0], items[1]);
        }
    }

    private static PyNamespace Namespace(Arguments args)
    {
        var dict = Dict(args);
        var ns = new PyNamespace();
        foreach (var (k, v) in dict.Map)
        {
            ns.Attributes[PyDict.FromKey(k) as string ?? PyRepr.Str(PyDict.FromKey(k))] = v;
        }

        return ns;
    }

    private static object? RaiseException(Arguments args)
    {
        var message = args.Bind("raise_exception", ["message"], 1)[0];
        throw new TemplateRaisedException(PyRepr.Str(message));
    }

    private static object? StrftimeNow(Interpreter interpreter, Arguments args)
    {
        var format = args.Bind("strftime_now", ["format"], 1)[0] as string
            ?? throw JinjaException.Type("strftime() argument 1 must be str");
        return Strftime.Format(interpreter.Clock.GetLocalNow().DateTime, format);
    }

    /// <summary>Jinja2's <c>cycler(*items)</c>: <c>next()</c>, <c>current</c>, <c>reset()</c>.</summary>
    private sealed class Cycler(object?[] items) : PyCallable
    {
        private int _position;

        public override string Name => "Cycler";

        public override string TypeName => "Cycler";

        public override string ReprText => "<jinja2.utils.Cycler object>";

        public override object? Invoke(Interpreter interpreter, Arguments args) => throw JinjaException.Type("'Cycler' object is not callable");

        public override object? GetAttr(string name) => name switch
        {
            "current" => items.Length == 0 ? throw JinjaException.Type("at least one item has to be provided") : items[_position],
            "next" => new BuiltinFunction("next", (_, _) =>
            {
                var value = items[_position];
                _position = (_position + 1) % items.Length;
                return value;
            }),
            "reset" => new BuiltinFunction("reset", (_, _) =>
            {
                _position = 0;
                return null;
            }),
            _ => null,
        };
    }

    /// <summary>Jinja2's <c>joiner(sep)</c>: returns '' the first time it is called, the separator afterwards.</summary>
    private sealed class Joiner(string separator) : PyCallable
    {
        private bool _used;

        public override string Name => "Joiner";

        public override string TypeName => "Joiner";

        public override string ReprText => "<jinja2.utils.Joiner object>";

        public override object? Invoke(Interpreter interpreter, Arguments args)
        {
            if (!_used)
            {
                _used = true;
                return "";
            }

            return separator;
        }
    }
}
