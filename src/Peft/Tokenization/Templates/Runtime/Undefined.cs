namespace Peft.Tokenization.Templates.Runtime;

/// <summary>
/// Jinja2's default <c>Undefined</c>: prints as empty, is falsy, iterates as empty and has length 0, equals only
/// another Undefined, but raises <c>UndefinedError</c> on attribute/item access, calls, arithmetic and ordering.
/// </summary>
internal sealed class Undefined
{
    private static readonly object NoObject = new();

    private readonly object? _obj;
    private readonly object? _name;
    private readonly string? _hint;

    private Undefined(object? obj, object? name, string? hint, string errorType)
    {
        _obj = obj;
        _name = name;
        _hint = hint;
        ErrorType = errorType;
    }

    public string ErrorType { get; }

    public static Undefined ForName(string name) => new(NoObject, name, null, JinjaException.UndefinedError);

    public static Undefined ForMember(object? obj, object? name) => new(obj, name, null, JinjaException.UndefinedError);

    public static Undefined WithHint(string hint, string errorType = JinjaException.UndefinedError) =>
        new(NoObject, null, hint, errorType);

    public string Message
    {
        get
        {
            if (_hint is not null)
            {
                return _hint;
            }

            if (ReferenceEquals(_obj, NoObject))
            {
                return $"{PyRepr.Repr(_name)} is undefined";
            }

            return _name is string s
                ? $"{PyRepr.Repr(PyOps.ObjectTypeRepr(_obj))} has no attribute {PyRepr.Repr(s)}"
                : $"{PyOps.ObjectTypeRepr(_obj)} has no element {PyRepr.Repr(_name)}";
        }
    }

    public JinjaException Fail() => new(ErrorType, Message);
}
