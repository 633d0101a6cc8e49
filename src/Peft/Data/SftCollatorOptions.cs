namespace Peft.Data;

/// <summary>How supervised examples become token sequences and batches.</summary>
public sealed record SftCollatorOptions
{
    /// <summary>Longest sequence; longer examples are truncated on the right.</summary>
    public int MaxLength { get; init; } = 1024;

    /// <summary>
    /// Loss only on completions and assistant turns (the default); false trains on every token, prompts and
    /// conversation scaffolding included.
    /// </summary>
    public bool CompletionOnlyLoss { get; init; } = true;

    /// <summary>
    /// Append the EOS token to text and prompt/completion examples so the model learns to stop (conversations get
    /// their end-of-turn token from the chat template). The EOS token always carries loss.
    /// </summary>
    public bool AppendEos { get; init; } = true;

    /// <summary>Pack several short examples into each row; they do not attend to each other.</summary>
    public bool Packing { get; init; }

    /// <summary>Group examples of similar length into batches (less padding); the batch order is still shuffled.</summary>
    public bool GroupByLength { get; init; }
}
