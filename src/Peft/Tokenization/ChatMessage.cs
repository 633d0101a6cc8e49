using System.Text.Json;

namespace Peft.Tokenization;

/// <summary>
/// One message of a conversation, as passed to a chat template: the template sees it as the Python dict
/// <c>{"role": Role, "content": Content, **Extra}</c> (in that key order).
/// </summary>
/// <param name="Role">The speaker: <c>system</c>, <c>user</c>, <c>assistant</c>, <c>tool</c>, ...</param>
/// <param name="Content">The text, or null (the template sees <c>None</c>, as for an assistant message that only
/// makes tool calls).</param>
/// <remarks>
/// Extra fields such as <c>tool_calls</c>, <c>tool_call_id</c> or <c>name</c> go in <see cref="Extra"/>; their values
/// may be strings, numbers, booleans, null, dictionaries, lists, <see cref="JsonElement"/> or
/// <see cref="System.Text.Json.Nodes.JsonNode"/>. An <c>Extra["content"]</c> entry replaces <see cref="Content"/>,
/// which is how structured (multimodal) content is passed. To keep a JSON message exactly as written (key order,
/// a missing <c>content</c> key), pass the JSON itself to
/// <see cref="Templates.ChatTemplate.Apply(JsonElement, bool, IReadOnlyDictionary{string, string}?, Templates.ChatTemplateApplyOptions?)"/>.
/// </remarks>
public sealed record ChatMessage(string Role, string? Content)
{
    /// <summary>Further fields of the message dict (for example <c>tool_calls</c>), in the order the template
    /// should see them; null when there are none.</summary>
    public IReadOnlyDictionary<string, object?>? Extra { get; init; }

    /// <summary>A <c>system</c> message.</summary>
    /// <param name="content">The text.</param>
    /// <returns>The message.</returns>
    public static ChatMessage System(string content) => new("system", content);

    /// <summary>A <c>user</c> message.</summary>
    /// <param name="content">The text.</param>
    /// <returns>The message.</returns>
    public static ChatMessage User(string content) => new("user", content);

    /// <summary>An <c>assistant</c> message.</summary>
    /// <param name="content">The text.</param>
    /// <returns>The message.</returns>
    public static ChatMessage Assistant(string content) => new("assistant", content);

    /// <summary>Reads one message from a JSON object such as <c>{"role": "user", "content": "Hi"}</c>.</summary>
    /// <param name="message">A JSON object with a string <c>role</c>.</param>
    /// <returns>The message; fields other than role and string/null content are kept in <see cref="Extra"/>.</returns>
    /// <exception cref="FormatException">The element is not an object or has no string <c>role</c>.</exception>
    public static ChatMessage FromJson(JsonElement message)
    {
        if (message.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"A chat message must be a JSON object with \"role\" and \"content\"; found {message.ValueKind}.");
        }

        if (!message.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String)
        {
            throw new FormatException($"A chat message must have a string \"role\"; found {(message.TryGetProperty("role", out var r) ? r.ValueKind.ToString() : "no role")} in {Shorten(message.GetRawText())}.");
        }

        string? content = null;
        Dictionary<string, object?>? extra = null;
        foreach (var property in message.EnumerateObject())
        {
            if (property.Name == "role")
            {
                continue;
            }

            if (property.Name == "content" && property.Value.ValueKind is JsonValueKind.String or JsonValueKind.Null)
            {
                content = property.Value.GetString();
                continue;
            }

            (extra ??= new Dictionary<string, object?>(StringComparer.Ordinal))[property.Name] = property.Value.Clone();
        }

        return new ChatMessage(role.GetString()!, content) { Extra = extra };
    }

    /// <summary>Reads a JSON array of messages (the <c>messages</c> field of a chat dataset row).</summary>
    /// <param name="messages">A JSON array of message objects.</param>
    /// <returns>The messages in order.</returns>
    /// <exception cref="FormatException">The element is not an array, or an item is not a valid message (the
    /// message names its index).</exception>
    public static IReadOnlyList<ChatMessage> ListFromJson(JsonElement messages)
    {
        if (messages.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"Chat messages must be a JSON array; found {messages.ValueKind}.");
        }

        var list = new List<ChatMessage>(messages.GetArrayLength());
        var index = 0;
        foreach (var item in messages.EnumerateArray())
        {
            try
            {
                list.Add(FromJson(item));
            }
            catch (FormatException e)
            {
                throw new FormatException($"Message {index}: {e.Message}", e);
            }

            index++;
        }

        return list;
    }

    private static string Shorten(string s) => s.Length > 120 ? s[..117] + "..." : s;
}
