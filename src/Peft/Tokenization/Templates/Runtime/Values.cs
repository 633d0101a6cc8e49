namespace Peft.Tokenization.Templates.Runtime;

internal enum SeqKind
{
    List,
    Tuple,
    DictItems,
    DictKeys,
    DictValues,
}

/// <summary>A Python list or tuple (or a dict view, which prints differently). Templates cannot mutate it: the
/// immutable sandbox transformers uses rejects <c>append</c> and friends.</summary>
internal sealed class PyList(List<object?> items, SeqKind kind = SeqKind.List)
{
    public static readonly PyList EmptyTuple = new([], SeqKind.Tuple);

    public List<object?> Items { get; } = items;

    public SeqKind Kind { get; } = kind;

    public int Count => Items.Count;

    public bool IsSequence => Kind is SeqKind.List or SeqKind.Tuple;

    public static PyList Tuple(params object?[] items) => new([.. items], SeqKind.Tuple);
}

/// <summary>A Python dict: insertion-ordered, keys compared with Python equality (1 == 1.0 == True).</summary>
internal sealed class PyDict
{
    public PyDict(int capacity = 0) => Map = new OrderedDictionary<object, object?>(capacity, PyKeyComparer.Instance);

    public OrderedDictionary<object, object?> Map { get; }

    public int Count => Map.Count;

    public static object Key(object? key) => key ?? NoneKey.Instance;

    public static object? FromKey(object key) => key is NoneKey ? null : key;

    public bool TryGet(object? key, out object? value) => Map.TryGetValue(Key(key), out value);

    public void Set(object? key, object? value) => Map[Key(key)] = value;

    public IEnumerable<object?> Keys => Map.Keys.Select(FromKey);
}

/// <summary>Stands for Python's <c>None</c> as a dictionary key.</summary>
internal sealed class NoneKey
{
    public static readonly NoneKey Instance = new();
}

/// <summary>A single-use Python iterator or generator (the result of <c>select</c>, <c>map</c>, <c>items</c>, ...):
/// always truthy, has no length, cannot be indexed, and is exhausted after one pass.</summary>
internal sealed class PyGenerator(IEnumerable<object?> source, string typeName = "generator")
{
    private IEnumerable<object?>? _source = source;

    public string TypeName { get; } = typeName;

    public IEnumerable<object?> Consume()
    {
        var source = _source;
        _source = null;
        return source ?? [];
    }
}

/// <summary>A Python slice used as a subscript: <c>x[start:stop:step]</c>.</summary>
internal sealed record PySlice(object? Start, object? Stop, object? Step);

/// <summary>Jinja2's <c>namespace()</c>: the one object whose attributes templates may assign.</summary>
internal sealed class PyNamespace
{
    public Dictionary<string, object?> Attributes { get; } = new(StringComparer.Ordinal);
}
