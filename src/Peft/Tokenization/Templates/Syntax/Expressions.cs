using Peft.Tokenization.Templates.Runtime;

namespace Peft.Tokenization.Templates.Syntax;

/// <summary>An expression node; <see cref="Start"/>/<see cref="End"/> are positions in the normalized source.</summary>
internal abstract class Expr
{
    public int Start { get; init; }

    public int End { get; set; }
}

internal sealed class ConstExpr(object? value) : Expr
{
    public object? Value { get; } = value;
}

internal sealed class NameExpr(string name) : Expr
{
    public string Name { get; } = name;
}

internal sealed class ListExpr(Expr[] items, bool isTuple) : Expr
{
    public Expr[] Items { get; } = items;

    public bool IsTuple { get; } = isTuple;
}

internal sealed class DictExpr(Expr[] keys, Expr[] values) : Expr
{
    public Expr[] Keys { get; } = keys;

    public Expr[] Values { get; } = values;
}

internal sealed class GetAttrExpr(Expr target, string name) : Expr
{
    public Expr Target { get; } = target;

    public string Name { get; } = name;
}

internal sealed class GetItemExpr(Expr target, Expr index) : Expr
{
    public Expr Target { get; } = target;

    public Expr Index { get; } = index;
}

internal sealed class SliceExpr(Expr? start, Expr? stop, Expr? step) : Expr
{
    public Expr? StartIndex { get; } = start;

    public Expr? Stop { get; } = stop;

    public Expr? Step { get; } = step;
}

/// <summary>Call arguments: positional, keyword, <c>*args</c> and <c>**kwargs</c>.</summary>
internal sealed class CallArgs(Expr[] positional, KeyValuePair<string, Expr>[] keywords, Expr? dynArgs, Expr? dynKwargs)
{
    public static readonly CallArgs Empty = new([], [], null, null);

    public Expr[] Positional { get; } = positional;

    public KeyValuePair<string, Expr>[] Keywords { get; } = keywords;

    public Expr? DynArgs { get; } = dynArgs;

    public Expr? DynKwargs { get; } = dynKwargs;
}

internal sealed class CallExpr(Expr callee, CallArgs args) : Expr
{
    public Expr Callee { get; } = callee;

    public CallArgs Args { get; } = args;
}

/// <summary><c>target | name(args)</c>; <see cref="Target"/> is null inside a <c>{% filter %}</c> block head.</summary>
internal sealed class FilterExpr(Expr? target, string name, BuiltinFilter filter, CallArgs args) : Expr
{
    public Expr? Target { get; } = target;

    public string Name { get; } = name;

    public BuiltinFilter Filter { get; } = filter;

    public CallArgs Args { get; } = args;
}

internal sealed class TestExpr(Expr target, string name, BuiltinTest test, CallArgs args) : Expr
{
    public Expr Target { get; } = target;

    public string Name { get; } = name;

    public BuiltinTest Test { get; } = test;

    public CallArgs Args { get; } = args;
}

internal sealed class UnaryExpr(char op, Expr operand) : Expr
{
    public char Op { get; } = op;

    public Expr Operand { get; } = operand;
}

internal sealed class NotExpr(Expr operand) : Expr
{
    public Expr Operand { get; } = operand;
}

internal sealed class BinaryExpr(string op, Expr left, Expr right) : Expr
{
    public string Op { get; } = op;

    public Expr Left { get; } = left;

    public Expr Right { get; } = right;
}

internal sealed class AndExpr(Expr left, Expr right) : Expr
{
    public Expr Left { get; } = left;

    public Expr Right { get; } = right;
}

internal sealed class OrExpr(Expr left, Expr right) : Expr
{
    public Expr Left { get; } = left;

    public Expr Right { get; } = right;
}

/// <summary>A (possibly chained) comparison: <c>a &lt; b &lt;= c</c> means <c>a &lt; b and b &lt;= c</c>.</summary>
internal sealed class CompareExpr(Expr first, string[] ops, Expr[] operands) : Expr
{
    public Expr First { get; } = first;

    public string[] Ops { get; } = ops;

    public Expr[] Operands { get; } = operands;
}

internal sealed class ConcatExpr(Expr[] parts) : Expr
{
    public Expr[] Parts { get; } = parts;
}

internal sealed class CondExpr(Expr test, Expr then, Expr? otherwise) : Expr
{
    public Expr Test { get; } = test;

    public Expr Then { get; } = then;

    public Expr? Otherwise { get; } = otherwise;
}
