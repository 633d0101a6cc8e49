namespace Peft.Tokenization.Templates.Runtime;

/// <summary>
/// Attribute and item access as in Jinja2's ImmutableSandboxedEnvironment: <c>x.name</c> tries a Python attribute
/// (a dict's <c>items</c>, a str's <c>strip</c>) then the item; <c>x[key]</c> tries the item then the attribute;
/// a miss yields <see cref="Undefined"/>. Methods that would mutate a list or dict are refused as unsafe.
/// </summary>
internal static class PyAccess
{
    private static readonly HashSet<string> StrMethods =
    [
        "strip", "lstrip", "rstrip", "split", "rsplit", "splitlines", "startswith", "endswith", "upper", "lower",
        "title", "capitalize", "swapcase", "casefold", "replace", "find", "rfind", "index", "rindex", "count", "format",
        "format_map", "join", "center", "ljust", "rjust", "zfill", "partition", "rpartition", "removeprefix",
        "removesuffix", "isdigit", "isdecimal", "isnumeric", "isalpha", "isalnum", "isspace", "isupper", "islower",
        "istitle", "isidentifier", "isprintable", "isascii", "expandtabs",
    ];

    private static readonly HashSet<string> DictMethods = ["items", "keys", "values", "get", "copy"];
    private static readonly HashSet<string> DictMutators = ["pop", "popitem", "setdefault", "update", "clear"];
    private static readonly HashSet<string> ListMethods = ["index", "count", "copy"];
    private static readonly HashSet<string> ListMutators = ["append", "extend", "insert", "pop", "remove", "reverse", "sort", "clear"];

    public static object? GetAttr(object? obj, string name)
    {
        switch (obj)
        {
            case Undefined u:
                throw u.Fail();
            case PyDict d:
                if (DictMethods.Contains(name))
                {
                    return new BoundMethod(d, name);
                }

                if (DictMutators.Contains(name))
                {
                    return Unsafe(d, name);
                }

                return d.TryGet(name, out var value) ? value : Undefined.ForMember(obj, name);
            case string s:
                return StrMethods.Contains(name) ? new BoundMethod(s, name) : Undefined.ForMember(obj, name);
            case PyList l:
                if (l.IsSequence && (name is "index" or "count" || (name == "copy" && l.Kind == SeqKind.List)))
                {
                    return new BoundMethod(l, name);
                }

                return l.Kind == SeqKind.List && ListMutators.Contains(name) ? Unsafe(l, name) : Undefined.ForMember(obj, name);
            case PyNamespace ns:
                return ns.Attributes.TryGetValue(name, out var attr) ? attr : Undefined.ForMember(obj, name);
            case LoopContext loop:
                return loop.GetAttr(name);
            case PyCallable c:
                return c.GetAttr(name) ?? Undefined.ForMember(obj, name);
            default:
                return Undefined.ForMember(obj, name);
        }
    }

    private static Undefined Unsafe(object obj, string name) =>
        Undefined.WithHint($"access to attribute '{name}' of '{PyOps.TypeName(obj)}' object is unsafe.", JinjaException.SecurityError);

    public static object? GetItem(object? obj, object? key)
    {
        switch (obj)
        {
            case Undefined u:
                throw u.Fail();
            case PyDict d when key is not (PyList { Kind: not SeqKind.Tuple } or PyDict or PyNamespace):
                if (d.TryGet(key, out var value))
                {
                    return value;
                }

                break;
            case PyList { IsSequence: true } l:
                if (key is PySlice slice)
                {
                    return TrySlice(l.Count, slice, out var indices) ? new PyList(indices.Select(i => l.Items[i]).ToList(), l.Kind) : Undefined.ForMember(obj, key);
                }

                if (PyOps.IsInteger(key))
                {
                    var i = PyOps.AsLong(key);
                    i = i < 0 ? i + l.Count : i;
                    return i >= 0 && i < l.Count ? l.Items[(int)i] : Undefined.ForMember(obj, key);
                }

                break;
            case string s:
                if (key is PySlice strSlice)
                {
                    return SliceString(s, strSlice) ?? (object)Undefined.ForMember(obj, key);
                }

                if (PyOps.IsInteger(key))
                {
                    var points = PyString.HasSurrogates(s) ? PyString.CodePoints(s) : null;
                    var length = points?.Count ?? s.Length;
                    var i = PyOps.AsLong(key);
                    i = i < 0 ? i + length : i;
                    if (i >= 0 && i < length)
                    {
                        return points is null ? s[(int)i].ToString() : points[(int)i];
                    }

                    return Undefined.ForMember(obj, key);
                }

                break;
            case PyRange r:
                if (PyOps.IsInteger(key))
                {
                    var i = PyOps.AsLong(key);
                    i = i < 0 ? i + r.Length : i;
                    return i >= 0 && i < r.Length ? r.Start + (i * r.Step) : Undefined.ForMember(obj, key);
                }

                if (key is PySlice rangeSlice)
                {
                    var items = r.ToList();
                    return TrySlice(items.Count, rangeSlice, out var idx) ? new PyList(idx.Select(i => items[i]).ToList()) : Undefined.ForMember(obj, key);
                }

                break;
        }

        return key is string name ? GetAttr(obj, name) : Undefined.ForMember(obj, key);
    }

    /// <summary>Python's <c>obj[start:stop:step]</c> (no undefined on failure: Jinja2 does not route slices through the sandbox).</summary>
    public static object? Slice(object? obj, PySlice slice)
    {
        if (!IsIndex(slice.Start) || !IsIndex(slice.Stop) || !IsIndex(slice.Step))
        {
            if (obj is Undefined u)
            {
                throw u.Fail();
            }

            throw JinjaException.Type("slice indices must be integers or None or have an __index__ method");
        }

        return obj switch
        {
            Undefined u => throw u.Fail(),
            PyList { IsSequence: true } or string or PyRange => GetItem(obj, slice),
            PyDict => throw JinjaException.Type("unhashable type: 'slice'"),
            _ => throw JinjaException.Type($"'{PyOps.TypeName(obj)}' object is not subscriptable"),
        };
    }

    private static string? SliceString(string s, PySlice slice)
    {
        if (!PyString.HasSurrogates(s))
        {
            if (!TrySlice(s.Length, slice, out var indices))
            {
                return null;
            }

            if (indices.Count > 0 && (slice.Step is null || (slice.Step is long st && st == 1)))
            {
                return s.Substring(indices[0], indices.Count);
            }

            return string.Create(indices.Count, (s, indices), static (span, state) =>
            {
                for (var i = 0; i < span.Length; i++)
                {
                    span[i] = state.s[state.indices[i]];
                }
            });
        }

        var points = PyString.CodePoints(s);
        return TrySlice(points.Count, slice, out var idx) ? string.Concat(idx.Select(i => points[i])) : null;
    }

    /// <summary>Python's slice.indices(length) expanded into the selected positions; false for non-integer bounds.</summary>
    public static bool TrySlice(int length, PySlice slice, out List<int> indices)
    {
        indices = [];
        if (!IsIndex(slice.Start) || !IsIndex(slice.Stop) || !IsIndex(slice.Step))
        {
            return false;
        }

        var step = slice.Step is null ? 1L : PyOps.AsLong(slice.Step);
        if (step == 0)
        {
            throw JinjaException.Value("slice step cannot be zero");
        }

        long Adjust(object? bound, long forNone, long lowClamp, long highClamp)
        {
            if (bound is null)
            {
                return forNone;
            }

            var v = PyOps.AsLong(bound);
            if (v < 0)
            {
                v += length;
                return v < 0 ? lowClamp : v;
            }

            return v >= length ? highClamp : v;
        }

        var start = step > 0 ? Adjust(slice.Start, 0, 0, length) : Adjust(slice.Start, length - 1, -1, length - 1);
        var stop = step > 0 ? Adjust(slice.Stop, length, 0, length) : Adjust(slice.Stop, -1, -1, length - 1);
        for (var i = start; step > 0 ? i < stop : i > stop; i += step)
        {
            indices.Add((int)i);
        }

        return true;
    }

    private static bool IsIndex(object? value) => value is null || PyOps.IsInteger(value);

    /// <summary>Python iteration; a TypeError for values that are not iterable.</summary>
    public static IEnumerable<object?> Iterate(object? value) => value switch
    {
        PyList l => l.Items,
        PyDict d => d.Keys,
        string s => PyString.Iterate(s),
        Undefined => [],
        PyGenerator g => g.Consume(),
        PyRange r => r.ToList(),
        _ => throw JinjaException.Type($"'{PyOps.TypeName(value)}' object is not iterable"),
    };

    /// <summary>A materialized copy of the iteration (for loops, which need the length and look-ahead).</summary>
    public static List<object?> ToList(object? value) => value switch
    {
        PyList l => l.Items,
        _ => [.. Iterate(value)],
    };

    public static bool IsIterable(object? value) => value is PyList or PyDict or string or Undefined or PyGenerator or PyRange;

    /// <summary>Python's <c>len()</c>.</summary>
    public static long Length(object? value) => value switch
    {
        PyList l => l.Count,
        PyDict d => d.Count,
        string s => PyString.Length(s),
        Undefined => 0,
        PyRange r => r.Length,
        PyNamespace ns => throw JinjaException.Type("object of type 'Namespace' has no len()"),
        _ => throw JinjaException.Type($"object of type '{PyOps.TypeName(value)}' has no len()"),
    };
}
