namespace Peft.Tokenization.Templates.Runtime;

/// <summary>Python semantics for template values: type names, truthiness, equality, ordering and <c>in</c>.</summary>
internal static class PyOps
{
    public static string TypeName(object? value) => value switch
    {
        null => "NoneType",
        bool => "bool",
        long => "int",
        double => "float",
        string => "str",
        PyList l => l.Kind switch
        {
            SeqKind.Tuple => "tuple",
            SeqKind.DictItems => "dict_items",
            SeqKind.DictKeys => "dict_keys",
            SeqKind.DictValues => "dict_values",
            _ => "list",
        },
        PyDict => "dict",
        Undefined => "Undefined",
        PyGenerator g => g.TypeName,
        PyNamespace => "Namespace",
        LoopContext => "LoopContext",
        PyRange => "range",
        PySlice => "slice",
        PyCallable c => c.TypeName,
        _ => value.GetType().Name,
    };

    /// <summary>Jinja2's object_type_repr, used in undefined-value messages: <c>dict object</c>, <c>None</c>.</summary>
    public static string ObjectTypeRepr(object? value) => value switch
    {
        null => "None",
        PyNamespace => "jinja2.utils.Namespace object",
        LoopContext => "jinja2.runtime.LoopContext object",
        Undefined => "jinja2.runtime.Undefined object",
        MacroValue => "jinja2.runtime.Macro object",
        _ => TypeName(value) + " object",
    };

    public static bool IsNumber(object? value) => value is long or double or bool;

    public static bool IsInteger(object? value) => value is long or bool;

    public static long AsLong(object? value) => value switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        _ => throw JinjaException.Type($"'{TypeName(value)}' object cannot be interpreted as an integer"),
    };

    public static double AsDouble(object? value) => value switch
    {
        double d => d,
        long l => l,
        bool b => b ? 1 : 0,
        _ => throw JinjaException.Type($"must be real number, not {TypeName(value)}"),
    };

    public static bool Truthy(object? value) => value switch
    {
        null => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        PyList l => l.Count > 0,
        PyDict d => d.Count > 0,
        Undefined => false,
        PyRange r => r.Length > 0,
        _ => true,
    };

    public static bool Equal(object? a, object? b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        switch (a)
        {
            case null:
                return false;
            case string sa:
                return b is string sb && string.Equals(sa, sb, StringComparison.Ordinal);
            case bool or long or double:
                if (!IsNumber(b))
                {
                    return false;
                }

                if (IsInteger(a) && IsInteger(b))
                {
                    return AsLong(a) == AsLong(b);
                }

                return AsDouble(a) == AsDouble(b);
            case PyList la:
                if (b is not PyList lb || la.Kind != lb.Kind || la.Count != lb.Count || la.Kind == SeqKind.DictValues)
                {
                    return false;
                }

                for (var i = 0; i < la.Count; i++)
                {
                    if (!Equal(la.Items[i], lb.Items[i]))
                    {
                        return false;
                    }
                }

                return true;
            case PyDict da:
                if (b is not PyDict db || da.Count != db.Count)
                {
                    return false;
                }

                foreach (var (k, v) in da.Map)
                {
                    if (!db.Map.TryGetValue(k, out var other) || !Equal(v, other))
                    {
                        return false;
                    }
                }

                return true;
            case Undefined:
                return b is Undefined;
            case NoneKey:
                return b is NoneKey;
            case PyRange ra:
                return b is PyRange rb && Equal(ra.ToList(), rb.ToList());
            default:
                return a.Equals(b);
        }
    }

    public static int Hash(object? key) => key switch
    {
        null or NoneKey => 0x5f3759df,
        string s => s.GetHashCode(StringComparison.Ordinal),
        bool b => b ? 1 : 0,
        long l => l.GetHashCode(),
        double d => d == Math.Floor(d) && Math.Abs(d) < 9.2e18 ? ((long)d).GetHashCode() : d.GetHashCode(),
        PyList { Kind: SeqKind.Tuple } t => t.Items.Aggregate(17, (h, item) => (h * 31) + Hash(item)),
        PyList or PyDict or PyNamespace => throw JinjaException.Type($"unhashable type: '{TypeName(key)}'"),
        Undefined => 0x2545F491,
        _ => key.GetHashCode(),
    };

    /// <summary>Evaluates <c>a op b</c> for ==, !=, &lt;, &lt;=, &gt;, &gt;=, in, not in.</summary>
    public static bool Compare(string op, object? a, object? b)
    {
        switch (op)
        {
            case "==":
                return Equal(a, b);
            case "!=":
                return !Equal(a, b);
            case "in":
                return Contains(b, a);
            case "not in":
                return !Contains(b, a);
        }

        if (a is double da && double.IsNaN(da) && IsNumber(b) || b is double db && double.IsNaN(db) && IsNumber(a))
        {
            return false;
        }

        var c = Order(a, b, op);
        return op switch
        {
            "<" => c < 0,
            "<=" => c <= 0,
            ">" => c > 0,
            _ => c >= 0,
        };
    }

    /// <summary>Python ordering of two values; a TypeError for types Python cannot order.</summary>
    public static int Order(object? a, object? b, string op = "<")
    {
        if (a is Undefined ua)
        {
            throw ua.Fail();
        }

        if (b is Undefined ub)
        {
            throw ub.Fail();
        }

        if (IsNumber(a) && IsNumber(b))
        {
            return IsInteger(a) && IsInteger(b) ? AsLong(a).CompareTo(AsLong(b)) : AsDouble(a).CompareTo(AsDouble(b));
        }

        if (a is string sa && b is string sb)
        {
            return PyString.Compare(sa, sb);
        }

        if (a is PyList la && b is PyList lb && la.Kind == lb.Kind && la.IsSequence)
        {
            for (var i = 0; i < Math.Min(la.Count, lb.Count); i++)
            {
                if (!Equal(la.Items[i], lb.Items[i]))
                {
                    return Order(la.Items[i], lb.Items[i], op);
                }
            }

            return la.Count.CompareTo(lb.Count);
        }

        throw JinjaException.Type($"'{op}' not supported between instances of '{TypeName(a)}' and '{TypeName(b)}'");
    }

    /// <summary>
    /// Sorts in place, stably, comparing as CPython's list.sort does for short lists (binary insertion, always asking
    /// "is the later item less than an earlier one"), so a TypeError names the two types in Python's order.
    /// </summary>
    public static void Sort<T>(List<T> items, Func<T, T, bool> less)
    {
        for (var i = 1; i < items.Count; i++)
        {
            var pivot = items[i];
            int lo = 0, hi = i;
            while (lo < hi)
            {
                var mid = (lo + hi) >> 1;
                if (less(pivot, items[mid]))
                {
                    hi = mid;
                }
                else
                {
                    lo = mid + 1;
                }
            }

            if (lo < i)
            {
                items.RemoveAt(i);
                items.Insert(lo, pivot);
            }
        }
    }

    /// <summary>Python's <c>item in container</c>.</summary>
    public static bool Contains(object? container, object? item)
    {
        switch (container)
        {
            case string s:
                if (item is string sub)
                {
                    return s.Contains(sub, StringComparison.Ordinal);
                }

                throw JinjaException.Type($"'in <string>' requires string as left operand, not {TypeName(item)}");
            case PyDict d:
                PyOps.Hash(item);
                return d.TryGet(item, out _);
            case PyList l:
                foreach (var x in l.Items)
                {
                    if (Equal(x, item))
                    {
                        return true;
                    }
                }

                return false;
            case Undefined:
                return false;
            case PyGenerator or PyRange:
                foreach (var x in PyAccess.Iterate(container))
                {
                    if (Equal(x, item))
                    {
                        return true;
                    }
                }

                return false;
            default:
                throw JinjaException.Type($"argument of type '{TypeName(container)}' is not iterable");
        }
    }
}

/// <summary>Dictionary key comparer with Python equality and hashing.</summary>
internal sealed class PyKeyComparer : IEqualityComparer<object>
{
    public static readonly PyKeyComparer Instance = new();

    public new bool Equals(object? x, object? y) => PyOps.Equal(x, y);

    public int GetHashCode(object obj) => PyOps.Hash(obj);
}
