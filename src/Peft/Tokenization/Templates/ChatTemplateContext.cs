using System.Text.Json;
using System.Text.Json.Nodes;

namespace Peft.Tokenization.Templates;

/// <summary>
/// Builds the variables transformers 4.46's <c>apply_chat_template</c> passes to a chat template:
/// <c>messages</c>, <c>tools</c> (<c>None</c> unless given), <c>documents</c> (<c>None</c> unless given),
/// <c>add_generation_prompt</c>, then each non-empty special token (<c>bos_token</c>, <c>eos_token</c>, ...), then
/// the extra variables.
/// </summary>
public static class ChatTemplateContext
{
    private static readonly HashSet<string> Reserved = ["messages", "tools", "documents", "add_generation_prompt"];

    /// <summary>The context for a list of <see cref="ChatMessage"/>s.</summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="addGenerationPrompt">Whether the template should end with the header of a new assistant turn.</param>
    /// <param name="specialTokens">Special tokens by name (<c>bos_token</c>, <c>eos_token</c>, ...); null or empty
    /// values are left out, so the template sees them as undefined, as transformers does.</param>
    /// <param name="options">Tools, documents and extra variables; null for none.</param>
    /// <returns>The variables, in transformers' order.</returns>
    /// <exception cref="ArgumentException">An extra variable uses a reserved name.</exception>
    public static IReadOnlyDictionary<string, object?> Create(
        IReadOnlyList<ChatMessage> messages,
        bool addGenerationPrompt,
        IReadOnlyDictionary<string, string>? specialTokens = null,
        ChatTemplateApplyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return Build(messages, addGenerationPrompt, specialTokens, options);
    }

    /// <summary>The context for messages given as a JSON array, kept exactly as written (key order, nested values).</summary>
    /// <param name="messages">A JSON array of message objects.</param>
    /// <param name="addGenerationPrompt">Whether the template should end with the header of a new assistant turn.</param>
    /// <param name="specialTokens">Special tokens by name; null or empty values are left out.</param>
    /// <param name="options">Tools, documents and extra variables; null for none.</param>
    /// <returns>The variables, in transformers' order.</returns>
    /// <exception cref="ArgumentException"><paramref name="messages"/> is not an array, or an extra variable uses a reserved name.</exception>
    public static IReadOnlyDictionary<string, object?> Create(
        JsonElement messages,
        bool addGenerationPrompt,
        IReadOnlyDictionary<string, string>? specialTokens = null,
        ChatTemplateApplyOptions? options = null)
    {
        if (messages.ValueKind != JsonValueKind.Array)
        {
            throw new ArgumentException($"Chat messages must be a JSON array; found {messages.ValueKind}.", nameof(messages));
        }

        return Build(messages, addGenerationPrompt, specialTokens, options);
    }

    /// <summary>The context for messages given as a <see cref="JsonArray"/>, kept exactly as written.</summary>
    /// <param name="messages">A JSON array of message objects.</param>
    /// <param name="addGenerationPrompt">Whether the template should end with the header of a new assistant turn.</param>
    /// <param name="specialTokens">Special tokens by name; null or empty values are left out.</param>
    /// <param name="options">Tools, documents and extra variables; null for none.</param>
    /// <returns>The variables, in transformers' order.</returns>
    /// <exception cref="ArgumentException">An extra variable uses a reserved name.</exception>
    public static IReadOnlyDictionary<string, object?> Create(
        JsonArray messages,
        bool addGenerationPrompt,
        IReadOnlyDictionary<string, string>? specialTokens = null,
        ChatTemplateApplyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return Build(messages, addGenerationPrompt, specialTokens, options);
    }

    private static Dictionary<string, object?> Build(object messages, bool addGenerationPrompt, IReadOnlyDictionary<string, string>? specialTokens, ChatTemplateApplyOptions? options)
    {
        var context = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["messages"] = messages,
            ["tools"] = options?.Tools,
            ["documents"] = options?.Documents,
            ["add_generation_prompt"] = addGenerationPrompt,
        };
        if (specialTokens is not null)
        {
            foreach (var (name, token) in specialTokens)
            {
                if (!string.IsNullOrEmpty(token))
                {
                    context[name] = token;
                }
            }
        }

        if (options?.ExtraContext is { } extra)
        {
            foreach (var (name, value) in extra)
            {
                if (Reserved.Contains(name))
                {
                    throw new ArgumentException(
                        $"Extra chat-template variable '{name}' clashes with an argument of apply_chat_template; pass it through the matching parameter instead.",
                        nameof(options));
                }

                context[name] = value;
            }
        }

        return context;
    }
}
