namespace Peft.Tokenization.Templates.Runtime;

/// <summary>A value that templates can call: a global function, a bound str/dict/list method, or a macro.</summary>
internal abstract class PyCallable
{
    public abstract string Name { get; }

    public virtual string TypeName => "builtin_function_or_method";

    public virtual string ReprText => $"<built-in function {Name}>";

    public abstract object? Invoke(Interpreter interpreter, Arguments args);

    /// <summary>An attribute of the callable object itself (null when it has none).</summary>
    public virtual object? GetAttr(string name) => null;
}

internal sealed class BuiltinFunction(string name, Func<Interpreter, Arguments, object?> body) : PyCallable
{
    public override string Name { get; } = name;

    public override object? Invoke(Interpreter interpreter, Arguments args) => body(interpreter, args);
}

/// <summary>A Python method bound to a str, dict or list value (<c>text.strip</c>, <c>message.items</c>).</summary>
internal sealed class BoundMethod(object target, string name) : PyCallable
{
    public object Target { get; } = target;

    public override string Name { get; } = name;

    public override string ReprText => $"<built-in method {Name} of {PyOps.TypeName(Target)} object>";

    public override object? Invoke(Interpreter interpreter, Arguments args) => PyMethods.Call(Target, Name, args);
}
