namespace Peft.Tokenization.Templates.Runtime;

/// <summary>A render-time error raised by the runtime before its position is known; the interpreter turns it into a
/// <see cref="ChatTemplateException"/> that names the template, line, column and construct.</summary>
internal sealed class JinjaException(string pythonType, string message) : Exception(message)
{
    public const string TypeError = "TypeError";
    public const string ValueError = "ValueError";
    public const string UndefinedError = "jinja2.exceptions.UndefinedError";
    public const string SecurityError = "jinja2.exceptions.SecurityError";
    public const string RuntimeError = "jinja2.exceptions.TemplateRuntimeError";
    public const string FilterArgumentError = "jinja2.exceptions.FilterArgumentError";

    public string PythonType { get; } = pythonType;

    public static JinjaException Type(string message) => new(TypeError, message);

    public static JinjaException Value(string message) => new(ValueError, message);
}

/// <summary>Thrown by <c>raise_exception(msg)</c>; carries the template's message unchanged.</summary>
internal sealed class TemplateRaisedException(string message) : Exception(message);
