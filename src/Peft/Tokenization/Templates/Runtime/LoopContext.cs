namespace Peft.Tokenization.Templates.Runtime;

/// <summary>Jinja2's <c>loop</c> variable inside a <c>for</c> body.</summary>
internal sealed class LoopContext(List<object?> items, int depth0)
{
    private static readonly object NoValue = new();
    private object? _lastChanged = NoValue;
    private BuiltinFunction? _cycle;
    private BuiltinFunction? _changed;

    public int Index0 { get; set; }

    public int Length => items.Count;

    public object? GetAttr(string name) => name switch
    {
        "index" => (long)Index0 + 1,
        "index0" => (long)Index0,
        "revindex" => (long)(Length - Index0),
        "revindex0" => (long)(Length - Index0 - 1),
        "first" => Index0 == 0,
        "last" => Index0 == Length - 1,
        "length" => (long)Length,
        "depth" => (long)depth0 + 1,
        "depth0" => (long)depth0,
        "previtem" => Index0 > 0 ? items[Index0 - 1] : Undefined.WithHint("there is no previous item"),
        "nextitem" => Index0 < Length - 1 ? items[Index0 + 1] : Undefined.WithHint("there is no next item"),
        "cycle" => _cycle ??= new BuiltinFunction("cycle", (_, args) => Cycle(args)),
        "changed" => _changed ??= new BuiltinFunction("changed", (_, args) => Changed(args)),
        _ => Undefined.ForMember(this, name),
    };

    private object? Cycle(Arguments args)
    {
        if (args.Positional.Length == 0)
        {
            throw JinjaException.Type("no items for cycling given");
        }

        return args.Positional[Index0 % args.Positional.Length];
    }

    private object Changed(Arguments args)
    {
        var value = new PyList([.. args.Positional], SeqKind.Tuple);
        if (_lastChanged == NoValue || !PyOps.Equal(value, _lastChanged))
        {
            _lastChanged = value;
            return true;
        }

        return false;
    }
}
