namespace Peft.Tokenization.Templates.Runtime;

internal static partial class Filters
{
    private static void AddSequenceFilters(Action<string, Func<Interpreter, object?, Arguments, object?>, string[]> add)
    {
        add("batch", (_, v, a) => Batch(v, a), []);
        add("dictsort", (_, v, a) => DictSort(v, a), []);
        add("map", (i, v, a) => MapFilter(i, v, a), []);
        add("max", (_, v, a) => MinMax(v, a, "max"), []);
        add("min", (_, v, a) => MinMax(v, a, "min"), []);
        add("select", (i, v, a) => SelectOrReject(i, v, a, select: true, attribute: false), []);
        add("reject", (i, v, a) => SelectOrReject(i, v, a, select: false, attribute: false), []);
        add("selectattr", (i, v, a) => SelectOrReject(i, v, a, select: true, attribute: true), []);
        add("rejectattr", (i, v, a) => SelectOrReject(i, v, a, select: false, attribute: true), []);
        add("slice", (_, v, a) => Slice(v, a), []);
        add("sort", (_, v, a) => Sort(v, a), []);
        add("sum", (_, v, a) => Sum(v, a), []);
        add("unique", (_, v, a) => Unique(v, a), []);
    }

    private static long Length(object? value, Arguments args)
    {
        args.Bind("length", [], 0);
        return PyAccess.Length(value);
    }

    private static PyList ToList(object? value, Arguments args)
    {
        args.Bind("list", [], 0);
        return new PyList([.. PyAccess.Iterate(value)]);
    }

    private static string Join(Interpreter interpreter, object? value, Arguments args)
    {
        var bound = args.Bind("join", ["d", "attribute"], 0, "", null);
        var items = PyAccess.Iterate(value);
        if (bound[1] is not null)
        {
            var getter = AttrGetter(bound[1], null, lower: false);
            items = items.Select(getter);
        }

        return string.Join(PyRepr.Str(bound[0]), items.Select(PyRepr.Str));
    }

    private static PyGenerator Items(object? value, Arguments args)
    {
        args.Bind("items", [], 0);
        return value switch
        {
            Undefined => new PyGenerator([], "dict_itemiterator"),
            PyDict d => new PyGenerator(d.Map.Select(kv => (object?)PyList.Tuple(PyDict.FromKey(kv.Key), kv.Value)).ToList(), "dict_itemiterator"),
            _ => throw JinjaException.Type("Can only get item pairs from a mapping."),
        };
    }

    private static object Reverse(object? value, Arguments args)
    {
        args.Bind("reverse", [], 0);
        switch (value)
        {
            case string s:
                var points = PyString.CodePoints(s);
                points.Reverse();
                return string.Concat(points);
            case PyList { IsSequence: true } or PyDict or PyRange:
                var items = PyAccess.ToList(value).ToList();
                items.Reverse();
                return new PyGenerator(items, value is PyDict ? "dict_reversekeyiterator" : "list_reverseiterator");
            default:
                try
                {
                    var rest = PyAccess.Iterate(value).ToList();
                    rest.Reverse();
                    return new PyList(rest);
                }
                catch (JinjaException)
                {
                    throw new JinjaException(JinjaException.FilterArgumentError, "argument must be iterable");
                }
        }
    }

    /// <summary>Jinja2's make_attrgetter: dotted path, integer parts as indexes, item lookup before attribute.</summary>
    private static Func<object?, object?> AttrGetter(object? attribute, object? fallback, bool lower)
    {
        object?[] parts = attribute is string path
            ? path.Split('.').Select(p => long.TryParse(p, out var n) ? (object?)n : p).ToArray()
            : [attribute];
        return item =>
        {
            foreach (var part in parts)
            {
                item = PyAccess.GetItem(item, part);
            }

            if (fallback is not null && item is Undefined)
            {
                item = fallback;
            }

            return lower && item is string s ? PyString.Lower(s) : item;
        };
    }

    /// <summary>Several comma-separated attributes (sort) give a tuple key.</summary>
    private static Func<object?, object?> MultiAttrGetter(object? attribute, bool lower)
    {
        if (attribute is string s && s.Contains(',', StringComparison.Ordinal))
        {
            var getters = s.Split(',').Select(part => AttrGetter(part, null, lower)).ToArray();
            return item => new PyList(getters.Select(g => g(item)).ToList(), SeqKind.Tuple);
        }

        return attribute is null ? (item => lower && item is string t ? PyString.Lower(t) : item) : AttrGetter(attribute, null, lower);
    }

    private static PyList Sort(object? value, Arguments args)
    {
        var bound = args.Bind("sort", ["reverse", "case_sensitive", "attribute"], 0, false, false, null);
        var key = MultiAttrGetter(bound[2], lower: !PyOps.Truthy(bound[1]));
        var items = PyAccess.Iterate(value).ToList();
        return new PyList(StableSort(items, key, PyOps.Truthy(bound[0])));
    }

    /// <summary>Python's <c>sorted(items, key=key, reverse=reverse)</c>: stable, and stable under reverse too.</summary>
    private static List<object?> StableSort(List<object?> items, Func<object?, object?> key, bool reverse)
    {
        var keyed = items.Select(item => (Item: item, Key: key(item))).ToList();
        if (reverse)
        {
            keyed.Reverse();
        }

        PyOps.Sort(keyed, (a, b) => PyOps.Order(a.Key, b.Key) < 0);
        if (reverse)
        {
            keyed.Reverse();
        }

        return keyed.Select(k => k.Item).ToList();
    }

    private static PyList DictSort(object? value, Arguments args)
    {
        var bound = args.Bind("dictsort", ["case_sensitive", "by", "reverse"], 0, false, "key", false);
        var position = bound[1] switch
        {
            "key" => 0,
            "value" => 1,
            _ => throw new JinjaException(JinjaException.FilterArgumentError, "You can only sort by either \"key\" or \"value\""),
        };
        if (value is not PyDict dict)
        {
            throw new JinjaException("AttributeError", $"'{PyOps.TypeName(value)}' object has no attribute 'items'");
        }

        var lower = !PyOps.Truthy(bound[0]);
        var pairs = dict.Map.Select(kv => (object?)PyList.Tuple(PyDict.FromKey(kv.Key), kv.Value)).ToList();
        return new PyList(StableSort(pairs, pair =>
        {
            var part = ((PyList)pair!).Items[position];
            return lower && part is string s ? PyString.Lower(s) : part;
        }, PyOps.Truthy(bound[2])));
    }

    private static PyGenerator MapFilter(Interpreter interpreter, object? value, Arguments args)
    {
        if (!PyOps.Truthy(value))
        {
            return new PyGenerator([]);
        }

        Func<object?, object?> func;
        if (args.Positional.Length == 0 && args.Keywords.Any(k => k.Key == "attribute"))
        {
            var attribute = args.Keywords.First(k => k.Key == "attribute").Value;
            var fallback = args.Keywords.FirstOrDefault(k => k.Key == "default").Value;
            var extra = args.Keywords.FirstOrDefault(k => k.Key is not ("attribute" or "default"));
            if (extra.Key is not null)
            {
                throw new JinjaException(JinjaException.FilterArgumentError, $"Unexpected keyword argument {PyRepr.Repr(extra.Key)}");
            }

            func = AttrGetter(attribute, fallback, lower: false);
        }
        else
        {
            if (args.Positional.Length == 0)
            {
                throw new JinjaException(JinjaException.FilterArgumentError, "map requires a filter argument");
            }

            var name = PyRepr.Str(args.Positional[0]);
            var filter = Find(name) ?? throw new JinjaException(JinjaException.RuntimeError, $"No filter named {PyRepr.Repr(name)} found.");
            var rest = new Arguments(args.Positional[1..], args.Keywords);
            func = item => filter.Apply(interpreter, item, rest);
        }

        return new PyGenerator(PyAccess.Iterate(value).Select(func));
    }

    private static PyGenerator SelectOrReject(Interpreter interpreter, object? value, Arguments args, bool select, bool attribute)
    {
        if (!PyOps.Truthy(value))
        {
            return new PyGenerator([]);
        }

        var offset = 0;
        Func<object?, object?> transform = x => x;
        if (attribute)
        {
            if (args.Positional.Length == 0)
            {
                throw new JinjaException(JinjaException.FilterArgumentError, "Missing parameter for attribute name");
            }

            transform = AttrGetter(args.Positional[0], null, lower: false);
            offset = 1;
        }

        Func<object?, bool> predicate;
        if (args.Positional.Length > offset)
        {
            var name = PyRepr.Str(args.Positional[offset]);
            var test = Tests.Find(name) ?? throw new JinjaException(JinjaException.RuntimeError, $"No test named {PyRepr.Repr(name)} found.");
            var rest = new Arguments(args.Positional[(offset + 1)..], args.Keywords);
            predicate = item => test.Apply(interpreter, item, rest);
        }
        else
        {
            predicate = PyOps.Truthy;
        }

        return new PyGenerator(PyAccess.Iterate(value).Where(item => predicate(transform(item)) == select));
    }

    private static object? MinMax(object? value, Arguments args, string name)
    {
        var bound = args.Bind(name, ["case_sensitive", "attribute"], 0, false, null);
        var items = PyAccess.Iterate(value).ToList();
        if (items.Count == 0)
        {
            return Undefined.WithHint("No aggregated item, sequence was empty.");
        }

        var key = MultiAttrGetter(bound[1], lower: !PyOps.Truthy(bound[0]));
        var best = items[0];
        var bestKey = key(best);
        foreach (var item in items.Skip(1))
        {
            var k = key(item);
            var c = PyOps.Order(k, bestKey, name == "max" ? ">" : "<");
            if (name == "max" ? c > 0 : c < 0)
            {
                (best, bestKey) = (item, k);
            }
        }

        return best;
    }

    private static object? Sum(object? value, Arguments args)
    {
        var bound = args.Bind("sum", ["attribute", "start"], 0, null, 0L);
        var items = PyAccess.Iterate(value);
        if (bound[0] is not null)
        {
            items = items.Select(AttrGetter(bound[0], null, lower: false));
        }

        var total = bound[1];
        foreach (var item in items)
        {
            total = PyArith.Binary("+", total, item);
        }

        return total;
    }

    private static PyGenerator Unique(object? value, Arguments args)
    {
        var bound = args.Bind("unique", ["case_sensitive", "attribute"], 0, false, null);
        var key = MultiAttrGetter(bound[1], lower: !PyOps.Truthy(bound[0]));
        var seen = new HashSet<object>(PyKeyComparer.Instance);
        var result = new List<object?>();
        foreach (var item in PyAccess.Iterate(value))
        {
            if (seen.Add(PyDict.Key(key(item))))
            {
                result.Add(item);
            }
        }

        return new PyGenerator(result);
    }

    private static PyGenerator Batch(object? value, Arguments args)
    {
        var bound = args.Bind("batch", ["linecount", "fill_with"], 1, [null]);
        var size = (int)PyOps.AsLong(bound[0]);
        if (size <= 0)
        {
            throw JinjaException.Value("batch size must be positive");
        }

        var batches = new List<object?>();
        var current = new List<object?>();
        foreach (var item in PyAccess.Iterate(value))
        {
            current.Add(item);
            if (current.Count == size)
            {
                batches.Add(new PyList(current));
                current = [];
            }
        }

        if (current.Count > 0)
        {
            while (bound[1] is not null && current.Count < size)
            {
                current.Add(bound[1]);
            }

            batches.Add(new PyList(current));
        }

        return new PyGenerator(batches);
    }

    private static PyGenerator Slice(object? value, Arguments args)
    {
        var bound = args.Bind("slice", ["slices", "fill_with"], 1, [null]);
        var items = PyAccess.Iterate(value).ToList();
        var slices = (int)PyOps.AsLong(bound[0]);
        var perSlice = items.Count / slices;
        var withExtra = items.Count % slices;
        var offset = 0;
        var result = new List<object?>();
        for (var n = 0; n < slices; n++)
        {
            var start = offset + (n * perSlice);
            if (n < withExtra)
            {
                offset++;
            }

            var end = offset + ((n + 1) * perSlice);
            var part = items.GetRange(start, end - start);
            if (bound[1] is not null && n >= withExtra)
            {
                part.Add(bound[1]);
            }

            result.Add(new PyList(part));
        }

        return new PyGenerator(result);
    }
}
