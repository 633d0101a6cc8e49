using System.Text.Json;

namespace Peft.Tokenization;

/// <summary>One message of a conversation: its role and text.</summary>
/// <param name="Role">The speaker: system, user, assistant, tool, ...</param>
/// <param name="Content">The text, or null.</param>
public sealed record ChatMessage(string Role, string? Content)
{
    /// <summary>Reads one message from a JSON object such as <c>{"role": "user", "content": "Hi"}</c>.</summary>
    /// <param name="message">A JSON object with a string <c>role</c>.</param>
    /// <returns>The message.</returns>
    /// <exception cref="FormatException">The element is not an object or has no string <c>role</c>.</exception>
    public static ChatMessage FromJson(JsonElement message)
    {
        if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String)
        {
            throw new FormatException("A chat message must be a JSON object with a string \"role\".");
        }

        return new ChatMessage(role.GetString()!, message.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null);
    }
}
