namespace Peft.Tokenization.Templates.Runtime;

/// <summary>A Jinja2 test (<c>x is name(args)</c>).</summary>
internal sealed class BuiltinTest(string name, Func<Interpreter, object?, Arguments, bool> apply)
{
    public string Name { get; } = name;

    public bool Apply(Interpreter interpreter, object? value, Arguments args) => apply(interpreter, value, args);
}

/// <summary>Jinja2 3.1's built-in tests, with Python's notion of each type (<c>True is number</c>, <c>True is not
/// integer</c>, an undefined value is iterable and a sequence, a dict is a sequence).</summary>
internal static class Tests
{
    private static readonly Dictionary<string, BuiltinTest> Map = Build();

    public static BuiltinTest? Find(string name) => Map.GetValueOrDefault(name);

    /// <summary>A test that fails when used: Jinja2 defers unknown tests inside <c>if</c> blocks to render time.</summary>
    public static BuiltinTest Missing(string name) =>
        new(name, (_, _, _) => throw new JinjaException(JinjaException.RuntimeError, $"No test named {PyRepr.Repr(name)} found."));

    private static Dictionary<string, BuiltinTest> Build()
    {
        var map = new Dictionary<string, BuiltinTest>(StringComparer.Ordinal);
        void Add(Func<object?, bool> test, params string[] names)
        {
            foreach (var name in names)
            {
                map[name] = new BuiltinTest(name, (_, value, args) =>
                {
                    args.Bind(name, [], 0);
                    return test(value);
                });
            }
        }

        void AddBinary(Func<object?, object?, bool> test, params string[] names)
        {
            foreach (var name in names)
            {
                map[name] = new BuiltinTest(name, (_, value, args) => test(value, args.Bind(name, ["other"], 1)[0]));
            }
        }

        Add(v => v is not Undefined, "defined");
        Add(v => v is Undefined, "undefined");
        Add(v => v is null, "none");
        Add(v => v is bool, "boolean");
        Add(v => v is false, "false");
        Add(v => v is true, "true");
        Add(v => v is long, "integer");
        Add(v => v is double, "float");
        Add(PyOps.IsNumber, "number");
        Add(v => v is string, "string");
        Add(v => v is PyDict, "mapping");
        Add(v => PyAccess.IsIterable(v) || v is LoopContext, "iterable");
        Add(v => v is string or PyList { IsSequence: true } or PyDict or PyRange or Undefined, "sequence");
        Add(v => v is PyCallable or Undefined, "callable");
        Add(_ => false, "escaped");
        Add(v => PyRepr.Str(v) is var s && s.Any(char.IsLower) && !s.Any(char.IsUpper), "lower");
        Add(v => PyRepr.Str(v) is var s && s.Any(char.IsUpper) && !s.Any(char.IsLower), "upper");
        Add(v => PyOps.Equal(PyArith.Binary("%", v, 2L), 1L), "odd");
        Add(v => PyOps.Equal(PyArith.Binary("%", v, 2L), 0L), "even");
        Add(v => v is string name && Filters.Find(name) is not null, "filter");
        Add(v => v is string name && Find(name) is not null, "test");
        AddBinary((v, n) => PyOps.Equal(PyArith.Binary("%", v, n), 0L), "divisibleby");
        AddBinary(PyOps.Equal, "eq", "equalto", "==");
        AddBinary((a, b) => !PyOps.Equal(a, b), "ne", "!=");
        AddBinary((a, b) => PyOps.Compare("<", a, b), "lt", "lessthan", "<");
        AddBinary((a, b) => PyOps.Compare("<=", a, b), "le", "<=");
        AddBinary((a, b) => PyOps.Compare(">", a, b), "gt", "greaterthan", ">");
        AddBinary((a, b) => PyOps.Compare(">=", a, b), "ge", ">=");
        AddBinary((v, seq) => PyOps.Contains(seq, v), "in");
        AddBinary(SameAs, "sameas");
        return map;
    }

    /// <summary>Python's <c>is</c>: identity, which for None, booleans and small integers is equality.</summary>
    private static bool SameAs(object? a, object? b) => a switch
    {
        null => b is null,
        bool x => b is bool y && x == y,
        long x when x is >= -5 and <= 256 => b is long y && x == y,
        _ => ReferenceEquals(a, b),
    };
}
