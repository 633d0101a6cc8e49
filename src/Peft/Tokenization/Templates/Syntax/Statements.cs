namespace Peft.Tokenization.Templates.Syntax;

/// <summary>A statement node; <see cref="Start"/>/<see cref="End"/> are positions in the normalized source.</summary>
internal abstract class Stmt
{
    public int Start { get; init; }

    public int End { get; init; }
}

internal sealed class TextStmt(string text) : Stmt
{
    public string Text { get; } = text;
}

internal sealed class PrintStmt(Expr value) : Stmt
{
    public Expr Value { get; } = value;
}

internal sealed class IfStmt(Expr[] conditions, Stmt[][] bodies, Stmt[]? otherwise) : Stmt
{
    public Expr[] Conditions { get; } = conditions;

    public Stmt[][] Bodies { get; } = bodies;

    public Stmt[]? Otherwise { get; } = otherwise;
}

internal sealed class ForStmt(Target target, Expr iterable, Expr? filter, Stmt[] body, Stmt[]? otherwise, bool recursive) : Stmt
{
    public Target Target { get; } = target;

    public Expr Iterable { get; } = iterable;

    public Expr? Filter { get; } = filter;

    public Stmt[] Body { get; } = body;

    public Stmt[]? Otherwise { get; } = otherwise;

    public bool Recursive { get; } = recursive;
}

internal sealed class SetStmt(Target target, Expr value) : Stmt
{
    public Target Target { get; } = target;

    public Expr Value { get; } = value;
}

internal sealed class SetBlockStmt(Target target, Stmt[] body, FilterExpr? filter) : Stmt
{
    public Target Target { get; } = target;

    public Stmt[] Body { get; } = body;

    public FilterExpr? Filter { get; } = filter;
}

internal sealed class MacroStmt(string name, MacroSignature signature, Stmt[] body) : Stmt
{
    public string Name { get; } = name;

    public MacroSignature Signature { get; } = signature;

    public Stmt[] Body { get; } = body;
}

/// <summary>Parameters of a macro or call block, and which of the implicit <c>varargs</c>/<c>kwargs</c>/<c>caller</c> its body reads.</summary>
internal sealed class MacroSignature(string[] parameters, Expr?[] defaults, bool catchVarargs, bool catchKwargs, bool usesCaller)
{
    public string[] Parameters { get; } = parameters;

    public Expr?[] Defaults { get; } = defaults;

    public bool CatchVarargs { get; } = catchVarargs;

    public bool CatchKwargs { get; } = catchKwargs;

    public bool UsesCaller { get; } = usesCaller;
}

internal sealed class CallBlockStmt(CallExpr call, MacroSignature signature, Stmt[] body) : Stmt
{
    public CallExpr Call { get; } = call;

    public MacroSignature Signature { get; } = signature;

    public Stmt[] Body { get; } = body;
}

internal sealed class FilterBlockStmt(FilterExpr[] filters, Stmt[] body) : Stmt
{
    public FilterExpr[] Filters { get; } = filters;

    public Stmt[] Body { get; } = body;
}

internal sealed class WithStmt(Target[] targets, Expr[] values, Stmt[] body) : Stmt
{
    public Target[] Targets { get; } = targets;

    public Expr[] Values { get; } = values;

    public Stmt[] Body { get; } = body;
}

/// <summary>A body rendered in its own scope (transformers' <c>{% generation %}</c> block).</summary>
internal sealed class ScopeStmt(Stmt[] body) : Stmt
{
    public Stmt[] Body { get; } = body;
}

internal sealed class BreakStmt : Stmt;

internal sealed class ContinueStmt : Stmt;

/// <summary>An assignment target: a name, a tuple of targets, or <c>namespace.attribute</c>.</summary>
internal abstract class Target
{
    public int Start { get; init; }

    public int End { get; init; }
}

internal sealed class NameTarget(string name) : Target
{
    public string Name { get; } = name;
}

internal sealed class TupleTarget(Target[] items) : Target
{
    public Target[] Items { get; } = items;
}

internal sealed class NamespaceTarget(string ns, string attribute) : Target
{
    public string Namespace { get; } = ns;

    public string Attribute { get; } = attribute;
}
