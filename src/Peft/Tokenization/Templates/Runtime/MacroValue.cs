using Peft.Tokenization.Templates.Syntax;

namespace Peft.Tokenization.Templates.Runtime;

/// <summary>A macro (or the body of a call block, exposed to the callee as <c>caller</c>), closed over the scope
/// it was defined in so it sees that scope's current variables and can call itself recursively.</summary>
internal sealed class MacroValue(string name, MacroSignature signature, Stmt[] body, Scope closure) : PyCallable
{
    public override string Name { get; } = name;

    public MacroSignature Signature { get; } = signature;

    public Stmt[] Body { get; } = body;

    public Scope Closure { get; } = closure;

    public override string TypeName => "Macro";

    public override string ReprText => $"<Macro {PyRepr.Repr(Name)}>";

    public override object? Invoke(Interpreter interpreter, Arguments args) => interpreter.CallMacro(this, args);

    public override object? GetAttr(string name) => name switch
    {
        "name" => Name,
        "arguments" => new PyList([.. Signature.Parameters], SeqKind.Tuple),
        "catch_kwargs" => Signature.CatchKwargs,
        "catch_varargs" => Signature.CatchVarargs,
        "caller" => Signature.UsesCaller,
        _ => null,
    };
}
