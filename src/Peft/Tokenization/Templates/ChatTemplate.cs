using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Peft.Tokenization.Templates.Runtime;
using Peft.Tokenization.Templates.Syntax;

namespace Peft.Tokenization.Templates;

/// <summary>
/// A parsed Hugging Face <c>chat_template</c> (a Jinja2 template) that renders exactly as transformers 4.46's
/// <c>apply_chat_template</c> does: <c>trim_blocks</c> and <c>lstrip_blocks</c> on, <c>break</c>/<c>continue</c>,
/// the template's one trailing newline dropped, undefined values printed as empty, Python value semantics
/// (<c>None</c>, <c>True</c>, <c>1.0</c>, <c>['a']</c>), <c>tojson</c> as <c>json.dumps(ensure_ascii=False)</c>,
/// and the globals <c>raise_exception</c> and <c>strftime_now</c>.
/// </summary>
/// <remarks>
/// Instances are immutable and thread-safe; parse once and render many times (<see cref="Parse"/> also caches by
/// source text). See docs/chat-templates.md for the supported Jinja subset.
/// </remarks>
public sealed class ChatTemplate
{
    private const int CacheLimit = 64;
    private static readonly ConcurrentDictionary<(string Source, string? Name), ChatTemplate> Cache = new();

    private readonly SourceText _text;
    private readonly Stmt[] _body;

    private ChatTemplate(string source, string? name, SourceText text, Stmt[] body)
    {
        Source = source;
        Name = name;
        _text = text;
        _body = body;
    }

    /// <summary>The template text as given.</summary>
    public string Source { get; }

    /// <summary>The template's name (for example <c>default</c> or <c>tool_use</c>), used in error messages; may be null.</summary>
    public string? Name { get; }

    /// <summary>Parses a chat template. Results are cached by source text and name.</summary>
    /// <param name="source">The Jinja2 template text (for example tokenizer_config.json's <c>chat_template</c>).</param>
    /// <param name="name">A name for error messages, or null.</param>
    /// <returns>The parsed template.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <exception cref="ChatTemplateException">The template has a syntax error or uses a construct this renderer does
    /// not support; the message quotes the construct with its line and column.</exception>
    public static ChatTemplate Parse(string source, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (Cache.TryGetValue((source, name), out var cached))
        {
            return cached;
        }

        var text = new SourceText(source, name);
        var template = new ChatTemplate(source, name, text, Parser.Parse(text));
        if (Cache.Count >= CacheLimit)
        {
            Cache.Clear();
        }

        Cache[(source, name)] = template;
        return template;
    }

    /// <summary>Renders the template with the given variables.</summary>
    /// <param name="context">Template variables. Values may be strings, booleans, integers, floating-point numbers,
    /// null (Python's <c>None</c>), dictionaries, lists, <see cref="ChatMessage"/>, <see cref="JsonElement"/> or
    /// <see cref="JsonNode"/>. A name that is absent is undefined in the template.</param>
    /// <param name="options">Render settings (the clock for <c>strftime_now</c>); null for the defaults.</param>
    /// <returns>The rendered text.</returns>
    /// <exception cref="ArgumentException">A context value has a type with no template equivalent.</exception>
    /// <exception cref="ChatTemplateRaisedException">The template called <c>raise_exception(message)</c>; the
    /// exception's message is the template's.</exception>
    /// <exception cref="ChatTemplateException">Rendering failed where Jinja2 fails too (for example <c>'a' + 1</c>,
    /// or an attribute of an undefined value); the message names the line, column and construct.</exception>
    public string Render(IReadOnlyDictionary<string, object?> context, ChatTemplateRenderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var scope = new Scope(null);
        foreach (var (name, value) in context)
        {
            scope.Set(name, ValueConverter.FromClr(value, name));
        }

        var interpreter = new Interpreter(_text, (options ?? ChatTemplateRenderOptions.Default).Clock);
        return interpreter.Render(_body, new Scope(scope));
    }

    /// <summary>Formats a conversation as transformers' <c>apply_chat_template(messages, tokenize=False, ...)</c> does.</summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="addGenerationPrompt">Whether to end with the header of a new assistant turn.</param>
    /// <param name="specialTokens">Special tokens by name (<c>bos_token</c>, <c>eos_token</c>, ...); empty ones are left out.</param>
    /// <param name="options">Tools, documents, extra variables, <c>continue_final_message</c>, render settings.</param>
    /// <returns>The prompt text.</returns>
    /// <exception cref="ArgumentException">Invalid options (a reserved extra variable, or both
    /// <c>ContinueFinalMessage</c> and <paramref name="addGenerationPrompt"/>).</exception>
    /// <exception cref="ChatTemplateRaisedException">The template rejected the conversation via <c>raise_exception</c>.</exception>
    /// <exception cref="ChatTemplateException">Rendering failed.</exception>
    public string Apply(
        IReadOnlyList<ChatMessage> messages,
        bool addGenerationPrompt,
        IReadOnlyDictionary<string, string>? specialTokens = null,
        ChatTemplateApplyOptions? options = null)
    {
        var rendered = Render(ChatTemplateContext.Create(messages, addGenerationPrompt, specialTokens, options), options?.Render);
        return options?.ContinueFinalMessage == true
            ? ContinueFinal(rendered, messages.Count > 0 ? ValueConverter.FromMessage(messages[^1]) : null, addGenerationPrompt)
            : rendered;
    }

    /// <summary>Formats a conversation given as a JSON array of message objects, kept exactly as written.</summary>
    /// <param name="messages">A JSON array of message objects.</param>
    /// <param name="addGenerationPrompt">Whether to end with the header of a new assistant turn.</param>
    /// <param name="specialTokens">Special tokens by name; empty ones are left out.</param>
    /// <param name="options">Tools, documents, extra variables, <c>continue_final_message</c>, render settings.</param>
    /// <returns>The prompt text.</returns>
    /// <exception cref="ArgumentException"><paramref name="messages"/> is not an array, or invalid options.</exception>
    /// <exception cref="ChatTemplateRaisedException">The template rejected the conversation via <c>raise_exception</c>.</exception>
    /// <exception cref="ChatTemplateException">Rendering failed.</exception>
    public string Apply(
        JsonElement messages,
        bool addGenerationPrompt,
        IReadOnlyDictionary<string, string>? specialTokens = null,
        ChatTemplateApplyOptions? options = null)
    {
        var rendered = Render(ChatTemplateContext.Create(messages, addGenerationPrompt, specialTokens, options), options?.Render);
        if (options?.ContinueFinalMessage != true)
        {
            return rendered;
        }

        var last = messages.GetArrayLength() > 0 ? ValueConverter.FromJson(messages[messages.GetArrayLength() - 1]) : null;
        return ContinueFinal(rendered, last, addGenerationPrompt);
    }

    /// <summary>transformers' continue_final_message: keep the output up to the end of the final message's content.</summary>
    private string ContinueFinal(string rendered, object? finalMessage, bool addGenerationPrompt)
    {
        if (addGenerationPrompt)
        {
            throw new ArgumentException(
                "continue_final_message and add_generation_prompt are not compatible. Use continue_final_message when you want the model to continue the final message, and add_generation_prompt when you want to add a header that will prompt it to start a new assistant message instead.");
        }

        var content = finalMessage is PyDict dict && dict.TryGet("content", out var c) ? c : null;
        if (content is PyList parts && parts.Count > 0 && parts.Items[^1] is PyDict part && part.TryGet("text", out var text))
        {
            content = text;
        }

        if (content is not string final)
        {
            throw new ArgumentException("continue_final_message needs a final message whose content is text.");
        }

        var at = rendered.LastIndexOf(final, StringComparison.Ordinal);
        if (at < 0)
        {
            final = PyString.Strip(final);
            at = rendered.LastIndexOf(final, StringComparison.Ordinal);
        }

        if (at < 0)
        {
            throw new ChatTemplateException(
                $"ValueError: continue_final_message: the final message's content does not appear in the output of chat template '{Name ?? "(unnamed)"}'.",
                "ValueError",
                Name);
        }

        return rendered[..(at + final.Length)];
    }

    /// <inheritdoc/>
    public override string ToString() => Name is null ? "ChatTemplate" : $"ChatTemplate '{Name}'";
}
