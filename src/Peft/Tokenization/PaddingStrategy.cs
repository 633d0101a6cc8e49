namespace Peft.Tokenization;

/// <summary>How <see cref="PretrainedTokenizer.EncodeBatch"/> pads (transformers' <c>padding</c> argument).</summary>
public enum PaddingStrategy
{
    /// <summary>No padding: rows keep their own lengths.</summary>
    None,

    /// <summary>Pad every row to the longest row of the batch.</summary>
    Longest,

    /// <summary>Pad every row to <see cref="BatchEncodeOptions.MaxLength"/> (or the model's maximum length).</summary>
    MaxLength,
}
