namespace Peft.Tokenization.Templates;

/// <summary>
/// The optional inputs of transformers' <c>apply_chat_template</c> besides the messages and
/// <c>add_generation_prompt</c>.
/// </summary>
public sealed record ChatTemplateApplyOptions
{
    /// <summary>The defaults: no tools, no documents, nothing extra.</summary>
    public static ChatTemplateApplyOptions Default { get; } = new();

    /// <summary>
    /// Tool definitions (JSON schemas) the template sees as <c>tools</c>: a list of dictionaries, a JSON array
    /// (<see cref="System.Text.Json.JsonElement"/> or <see cref="System.Text.Json.Nodes.JsonArray"/>), or null for
    /// Python's <c>None</c> (the default, as in transformers).
    /// </summary>
    public object? Tools { get; init; }

    /// <summary>Documents for retrieval-augmented templates, seen as <c>documents</c> (null gives <c>None</c>).</summary>
    public object? Documents { get; init; }

    /// <summary>
    /// Further template variables, like transformers' <c>**kwargs</c> (for example <c>enable_thinking</c>,
    /// <c>date_string</c>, <c>builtin_tools</c>). They override special tokens of the same name; they may not be
    /// named <c>messages</c>, <c>tools</c>, <c>documents</c> or <c>add_generation_prompt</c>.
    /// </summary>
    public IReadOnlyDictionary<string, object?>? ExtraContext { get; init; }

    /// <summary>
    /// transformers' <c>continue_final_message</c>: cut the output right after the final message's content, so a
    /// model continues that message instead of starting a new one. Cannot be combined with
    /// <c>addGenerationPrompt</c>.
    /// </summary>
    public bool ContinueFinalMessage { get; init; }

    /// <summary>Render settings (the clock for <c>strftime_now</c>); null means <see cref="ChatTemplateRenderOptions.Default"/>.</summary>
    public ChatTemplateRenderOptions? Render { get; init; }
}
