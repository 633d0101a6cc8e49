namespace Peft.Tokenization;

/// <summary>The tokenizer as generation and training see it (<see cref="ITokenCodec"/>, 64-bit ids).</summary>
public sealed partial class PretrainedTokenizer : ITokenCodec
{
    /// <inheritdoc />
    IReadOnlyList<long> ITokenCodec.Encode(string text, bool addSpecialTokens) => Array.ConvertAll(Encode(text, addSpecialTokens), i => (long)i);

    /// <inheritdoc />
    string ITokenCodec.Decode(IReadOnlyList<long> ids, bool skipSpecialTokens) => Decode(ids.Select(i => checked((int)i)), skipSpecialTokens);

    /// <inheritdoc />
    IReadOnlyList<long> ITokenCodec.EndOfSequenceIds => EosTokenIds.Select(i => (long)i).ToArray();
}
