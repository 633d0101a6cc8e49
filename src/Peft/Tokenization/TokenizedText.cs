namespace Peft.Tokenization;

/// <summary>The result of <see cref="PretrainedTokenizer.EncodeWithOffsets"/>: ids with their tokens and input offsets.</summary>
public sealed record TokenizedText
{
    /// <summary>The token ids.</summary>
    public required IReadOnlyList<int> Ids { get; init; }

    /// <summary>The token strings (as in the vocabulary, e.g. "Ġworld" for byte-level BPE).</summary>
    public required IReadOnlyList<string> Tokens { get; init; }

    /// <summary>
    /// For each token, the range <c>[Start, End)</c> of input chars (UTF-16 code units) it came from. Tokens added by
    /// the post-processor (BOS/EOS) have an empty range; byte tokens of one character share that character's range.
    /// </summary>
    public required IReadOnlyList<(int Start, int End)> Offsets { get; init; }

    /// <summary>For each token, whether it is a special token (added by the post-processor or a special added token).</summary>
    public required IReadOnlyList<bool> SpecialTokensMask { get; init; }
}
