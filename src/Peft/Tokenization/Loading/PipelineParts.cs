using Peft.Tokenization.Pipeline;

namespace Peft.Tokenization.Loading;

/// <summary>What a tokenizer file describes, before <c>tokenizer_config.json</c> is applied.</summary>
internal sealed record PipelineParts
{
    public required TokenizerFileFormat Format { get; init; }
    public required string MainFile { get; init; }
    public TextNormalizer? Normalizer { get; init; }
    public PreTokenizerStep? PreTokenizer { get; init; }
    public required TokenModel Model { get; init; }
    public TokenDecoder? Decoder { get; init; }
    public SpecialTokenFrame Frame { get; init; } = SpecialTokenFrame.None;
    public List<AddedToken> AddedTokens { get; init; } = new();

    /// <summary>Special tokens the format implies when no config names them (SentencePiece's and GPT-2's defaults).</summary>
    public string? DefaultBos { get; init; }
    public string? DefaultEos { get; init; }
    public string? DefaultUnk { get; init; }
}
