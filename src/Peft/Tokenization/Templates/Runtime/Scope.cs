namespace Peft.Tokenization.Templates.Runtime;

/// <summary>
/// A variable scope. Jinja2 gives every <c>for</c> iteration, macro call, call/filter/set block and <c>with</c> its
/// own scope: a <c>set</c> inside it does not change the enclosing variable (only <c>namespace()</c> attributes do),
/// while <c>if</c> blocks share their enclosing scope.
/// </summary>
internal sealed class Scope(Scope? parent)
{
    private Dictionary<string, object?>? _variables;

    public Scope? Parent { get; } = parent;

    public bool TryLookup(string name, out object? value)
    {
        for (var scope = this; scope is not null; scope = scope.Parent)
        {
            if (scope._variables is not null && scope._variables.TryGetValue(name, out value))
            {
                return true;
            }
        }

        value = null;
        return false;
    }

    public void Set(string name, object? value) => (_variables ??= new Dictionary<string, object?>(StringComparer.Ordinal))[name] = value;
}
