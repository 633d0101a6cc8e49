namespace Peft.Tokenization;

/// <summary>Which end loses tokens when a sequence is truncated (transformers' <c>truncation_side</c>).</summary>
public enum TruncationSide
{
    /// <summary>Keep the beginning, drop tokens at the end.</summary>
    Right,

    /// <summary>Keep the end, drop tokens at the beginning.</summary>
    Left,
}
