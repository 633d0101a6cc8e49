namespace Peft.Tokenization.Templates;

/// <summary>
/// Thrown when a chat template calls <c>raise_exception(message)</c> — typically to reject a conversation it cannot
/// format (for example <c>Conversation roles must alternate user/assistant/user/assistant/...</c>).
/// <see cref="Exception.Message"/> is exactly the template's message, as transformers' <c>TemplateError</c> is.
/// </summary>
public sealed class ChatTemplateRaisedException : ChatTemplateException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The template's own message, unchanged.</param>
    /// <param name="templateName">The template's name, or null.</param>
    /// <param name="line">1-based line of the <c>raise_exception</c> call.</param>
    /// <param name="column">1-based column of the <c>raise_exception</c> call.</param>
    public ChatTemplateRaisedException(string message, string? templateName, int line, int column)
        : base(message, "jinja2.exceptions.TemplateError", templateName, line, column, "raise_exception(...)")
    {
    }
}
