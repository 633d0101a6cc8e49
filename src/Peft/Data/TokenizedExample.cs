namespace Peft.Data;

/// <summary>One tokenized training sequence.</summary>
/// <param name="InputIds">Token ids.</param>
/// <param name="Labels">Target ids, −100 where no loss is wanted; same length as the ids.</param>
/// <param name="Source">File the example came from, if any.</param>
/// <param name="Line">1-based line in the file.</param>
public sealed record TokenizedExample(long[] InputIds, long[] Labels, string? Source = null, int Line = 0)
{
    /// <summary>Number of tokens.</summary>
    public int Length => InputIds.Length;

    /// <summary>Tokens that carry loss.</summary>
    public int TrainedTokens => Labels.Count(l => l != SftCollator.IgnoreIndex);
}
