namespace Peft.Generation;

/// <summary>Filled in when a streamed generation ends: why it stopped and what it produced.</summary>
public sealed class GenerationOutcome
{
    /// <summary>Why generation ended; null until it has.</summary>
    public StopReason? StopReason { get; internal set; }

    /// <summary>The full generated text (cut at the stop string unless asked to keep it).</summary>
    public string Text { get; internal set; } = string.Empty;

    /// <summary>The generated token ids.</summary>
    public IReadOnlyList<long> TokenIds { get; internal set; } = Array.Empty<long>();

    /// <summary>Number of prompt tokens.</summary>
    public int PromptTokens { get; internal set; }
}
