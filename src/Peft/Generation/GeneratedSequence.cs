namespace Peft.Generation;

/// <summary>One generated continuation.</summary>
/// <param name="PromptTokens">Number of prompt tokens (without padding).</param>
/// <param name="TokenIds">The new tokens, including the stop token when one ended the sequence.</param>
/// <param name="StopReason">Why generation ended.</param>
/// <param name="Text">The decoded new text (text generation only; cut at the stop string unless asked to keep it).</param>
public sealed record GeneratedSequence(int PromptTokens, IReadOnlyList<long> TokenIds, StopReason StopReason, string? Text = null);
