using Peft.Tokenization;

namespace Peft.Data;

/// <summary>
/// One preference pair: a prompt with a preferred (<see cref="Chosen"/>) and a dispreferred
/// (<see cref="Rejected"/>) completion — as plain text, or as messages rendered with the chat template.
/// </summary>
public sealed record PreferenceExample
{
    /// <summary>The prompt text (plain form).</summary>
    public string? Prompt { get; init; }

    /// <summary>The preferred completion (plain form).</summary>
    public string? Chosen { get; init; }

    /// <summary>The dispreferred completion (plain form).</summary>
    public string? Rejected { get; init; }

    /// <summary>The prompt conversation (conversational form).</summary>
    public IReadOnlyList<ChatMessage>? PromptMessages { get; init; }

    /// <summary>The preferred reply: the assistant turn(s) after the prompt (conversational form).</summary>
    public IReadOnlyList<ChatMessage>? ChosenMessages { get; init; }

    /// <summary>The dispreferred reply (conversational form).</summary>
    public IReadOnlyList<ChatMessage>? RejectedMessages { get; init; }

    /// <summary>The file the pair came from.</summary>
    public string? Source { get; init; }

    /// <summary>1-based line in <see cref="Source"/>.</summary>
    public int Line { get; init; }

    /// <summary>True for the conversational form.</summary>
    public bool IsConversational => ChosenMessages is not null;

    /// <summary>A plain-text pair.</summary>
    public static PreferenceExample FromText(string prompt, string chosen, string rejected) => new() { Prompt = prompt, Chosen = chosen, Rejected = rejected };
}
