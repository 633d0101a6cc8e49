namespace Peft.Tokenization;

/// <summary>Options for <see cref="PretrainedTokenizer.EncodeBatch"/> (transformers' call arguments).</summary>
public sealed record BatchEncodeOptions
{
    /// <summary>The default options: special tokens added, no padding, no truncation.</summary>
    public static BatchEncodeOptions Default { get; } = new();

    /// <summary>Add the post-processor's special tokens (BOS/EOS) to each row.</summary>
    public bool AddSpecialTokens { get; init; } = true;

    /// <summary>How to pad.</summary>
    public PaddingStrategy Padding { get; init; } = PaddingStrategy.None;

    /// <summary>Where to pad; null uses the tokenizer's <see cref="PretrainedTokenizer.PaddingSide"/>.</summary>
    public PaddingSide? PaddingSide { get; init; }

    /// <summary>Truncate rows longer than <see cref="MaxLength"/> (special tokens are kept; content is cut).</summary>
    public bool Truncation { get; init; }

    /// <summary>Where to truncate; null uses the tokenizer's <see cref="PretrainedTokenizer.TruncationSide"/>.</summary>
    public TruncationSide? TruncationSide { get; init; }

    /// <summary>The length for truncation and <see cref="PaddingStrategy.MaxLength"/> padding; null uses the model's maximum length.</summary>
    public int? MaxLength { get; init; }

    /// <summary>Round padded lengths up to a multiple of this (e.g. 8 for tensor cores); null for none.</summary>
    public int? PadToMultipleOf { get; init; }

    /// <summary>The id to pad with; null uses <see cref="PretrainedTokenizer.PadTokenId"/>.</summary>
    public int? PadTokenId { get; init; }
}
