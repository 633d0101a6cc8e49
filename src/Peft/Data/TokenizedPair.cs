namespace Peft.Data;

/// <summary>A tokenized preference pair.</summary>
/// <param name="PromptIds">Prompt tokens (shared).</param>
/// <param name="ChosenIds">Preferred completion tokens.</param>
/// <param name="RejectedIds">Dispreferred completion tokens.</param>
/// <param name="Source">File the pair came from.</param>
/// <param name="Line">1-based line.</param>
public sealed record TokenizedPair(long[] PromptIds, long[] ChosenIds, long[] RejectedIds, string? Source = null, int Line = 0);
