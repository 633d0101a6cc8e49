namespace Peft.Tokenization.Templates.Syntax;

internal static class SyntaxErrors
{
    public const string SyntaxError = "jinja2.exceptions.TemplateSyntaxError";
    public const string AssertionError = "jinja2.exceptions.TemplateAssertionError";
    public const string NotSupported = "NotSupported";

    public static ChatTemplateException At(SourceText source, int start, int end, string problem, string type = SyntaxError)
    {
        var (line, column) = source.Locate(start);
        var snippet = source.Snippet(start, Math.Max(end, start + 1));
        var where = source.Name is null ? $"line {line}, column {column}" : $"template '{source.Name}', line {line}, column {column}";
        return new ChatTemplateException($"{problem} ({where}: `{snippet}`)", type, source.Name, line, column, snippet);
    }
}
