using Peft.Tokenization;

namespace Peft.Data;

/// <summary>
/// One supervised example in one of three forms: plain <see cref="Text"/>; a <see cref="Prompt"/> with its
/// <see cref="Completion"/>; or a conversation of <see cref="Messages"/>.
/// </summary>
public sealed record SftExample
{
    /// <summary>Plain text (loss on every token).</summary>
    public string? Text { get; init; }

    /// <summary>The prompt (no loss by default).</summary>
    public string? Prompt { get; init; }

    /// <summary>The completion the model learns to produce.</summary>
    public string? Completion { get; init; }

    /// <summary>A conversation rendered with the chat template (loss on assistant turns by default).</summary>
    public IReadOnlyList<ChatMessage>? Messages { get; init; }

    /// <summary>Where the example came from (file), for messages.</summary>
    public string? Source { get; init; }

    /// <summary>1-based line in <see cref="Source"/>.</summary>
    public int Line { get; init; }

    /// <summary>A plain-text example.</summary>
    public static SftExample FromText(string text) => new() { Text = text };

    /// <summary>A prompt/completion example.</summary>
    public static SftExample FromPromptCompletion(string prompt, string completion) => new() { Prompt = prompt, Completion = completion };

    /// <summary>A conversation example.</summary>
    public static SftExample FromMessages(IReadOnlyList<ChatMessage> messages) => new() { Messages = messages };
}
