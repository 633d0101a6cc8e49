namespace Peft.Tokenization.Templates;

/// <summary>
/// Thrown when a chat template cannot be parsed (a syntax error or a construct this renderer does not support)
/// or fails while rendering (a type error such as <c>'a' + 1</c>, an undefined value used where Jinja2 rejects it).
/// The message says what went wrong, where (template name, line, column) and quotes the offending construct.
/// </summary>
/// <remarks>
/// Errors raised by the template itself through <c>raise_exception(msg)</c> are the subclass
/// <see cref="ChatTemplateRaisedException"/>, whose <see cref="Exception.Message"/> is exactly the template's text.
/// </remarks>
public class ChatTemplateException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The full message, including the position when one is known.</param>
    /// <param name="pythonExceptionType">The exception type Python/Jinja2 raises in the same situation, e.g. <c>TypeError</c>.</param>
    /// <param name="templateName">The template's name, or null.</param>
    /// <param name="line">1-based line of the offending construct, or 0 when unknown.</param>
    /// <param name="column">1-based column of the offending construct, or 0 when unknown.</param>
    /// <param name="construct">The offending source text, or null.</param>
    /// <param name="inner">The underlying exception, if any.</param>
    public ChatTemplateException(
        string message,
        string pythonExceptionType,
        string? templateName = null,
        int line = 0,
        int column = 0,
        string? construct = null,
        Exception? inner = null)
        : base(message, inner)
    {
        PythonExceptionType = pythonExceptionType;
        TemplateName = templateName;
        Line = line;
        Column = column;
        Construct = construct;
    }

    /// <summary>
    /// The exception type Jinja2 (as used by transformers) raises for the same problem: for example
    /// <c>jinja2.exceptions.TemplateSyntaxError</c>, <c>jinja2.exceptions.UndefinedError</c>,
    /// <c>jinja2.exceptions.TemplateError</c> (from <c>raise_exception</c>), <c>TypeError</c> or <c>ValueError</c>.
    /// Unsupported constructs report <c>NotSupported</c>.
    /// </summary>
    public string PythonExceptionType { get; }

    /// <summary>The template's name (for example <c>default</c> or <c>tool_use</c>), or null when it has none.</summary>
    public string? TemplateName { get; }

    /// <summary>1-based line of the offending construct in the template, or 0 when unknown.</summary>
    public int Line { get; }

    /// <summary>1-based column of the offending construct in the template, or 0 when unknown.</summary>
    public int Column { get; }

    /// <summary>The offending source text (shortened to one line), or null when unknown.</summary>
    public string? Construct { get; }
}
