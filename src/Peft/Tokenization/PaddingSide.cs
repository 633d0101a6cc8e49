namespace Peft.Tokenization;

/// <summary>Where padding goes (transformers' <c>padding_side</c>).</summary>
public enum PaddingSide
{
    /// <summary>Pad after the tokens (the usual choice for training).</summary>
    Right,

    /// <summary>Pad before the tokens (needed for batched generation with decoder-only models).</summary>
    Left,
}
