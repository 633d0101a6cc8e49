namespace Peft.Tokenization;

/// <summary>What generation and training need from a tokenizer: encoding, decoding and its end-of-sequence ids.</summary>
public interface ITokenCodec
{
    /// <summary>Token ids of <paramref name="text"/>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="addSpecialTokens">Add the tokenizer's special tokens (e.g. BOS) as configured.</param>
    IReadOnlyList<long> Encode(string text, bool addSpecialTokens);

    /// <summary>Text of <paramref name="ids"/>.</summary>
    /// <param name="ids">Token ids.</param>
    /// <param name="skipSpecialTokens">Leave special tokens out of the text.</param>
    string Decode(IReadOnlyList<long> ids, bool skipSpecialTokens);

    /// <summary>The tokenizer's end-of-sequence ids (added to the model's stop ids).</summary>
    IReadOnlyList<long> EndOfSequenceIds { get; }
}
