namespace Peft.Tokenization.Pipeline;

/// <summary>
/// The ids a post-processor puts around a single sequence (<c>TemplateProcessing</c>'s single template,
/// <c>BertProcessing</c>, <c>RobertaProcessing</c>; <c>ByteLevel</c> adds none).
/// </summary>
internal sealed record SpecialTokenFrame(IReadOnlyList<int> Prefix, IReadOnlyList<int> Suffix)
{
    public static readonly SpecialTokenFrame None = new(Array.Empty<int>(), Array.Empty<int>());

    /// <summary><paramref name="outer"/> wrapped around this frame (a <c>Sequence</c> of post-processors).</summary>
    public SpecialTokenFrame Then(SpecialTokenFrame outer) =>
        new(outer.Prefix.Concat(Prefix).ToArray(), Suffix.Concat(outer.Suffix).ToArray());
}

/// <summary>
/// A complete Hugging Face tokenization pipeline: added tokens → normalizer → pre-tokenizer → model →
/// post-processor, and the decoder for the way back.
/// </summary>
internal sealed class TokenizerPipeline
{
    public required AddedVocabulary Added { get; init; }
    public TextNormalizer? Normalizer { get; init; }
    public PreTokenizerStep? PreTokenizer { get; init; }
    public required TokenModel Model { get; init; }
    public SpecialTokenFrame Frame { get; init; } = SpecialTokenFrame.None;
    public TokenDecoder? Decoder { get; init; }

    /// <summary>Encodes <paramref name="text"/> without post-processor tokens.</summary>
    public void EncodeContent(string text, TokenSink sink)
    {
        if (text.Length == 0)
        {
            return;
        }

        var segments = new List<AddedVocabulary.Segment>();
        Added.Split(text, 0, text.Length, normalizedTokens: false, segments);
        foreach (var segment in segments)
        {
            if (segment.Token is { } token)
            {
                sink.AddAt(token.Id, (segment.Start, segment.Start + segment.Length), token.Special);
                continue;
            }

            var slice = segment.Start == 0 && segment.Length == text.Length ? text : text.Substring(segment.Start, segment.Length);
            EncodePlain(new AlignedText(slice, segment.Start), sink);
        }
    }

    /// <summary>Adds the post-processor's tokens around the ids in <paramref name="sink"/>.</summary>
    public void ApplyFrame(TokenSink sink)
    {
        if (Frame.Prefix.Count > 0)
        {
            sink.Ids.InsertRange(0, Frame.Prefix);
            sink.Offsets?.InsertRange(0, Frame.Prefix.Select(_ => (0, 0)));
            sink.Special?.InsertRange(0, Frame.Prefix.Select(_ => true));
        }

        var end = sink.Offsets is { Count: > 0 } offsets ? offsets.Max(o => o.End) : 0;
        foreach (var id in Frame.Suffix)
        {
            sink.AddAt(id, (end, end), special: true);
        }
    }

    private void EncodePlain(AlignedText raw, TokenSink sink)
    {
        var normalized = Normalizer is null ? raw : Normalizer.Normalize(raw);
        if (normalized.Text.Length == 0)
        {
            return;
        }

        if (!Added.HasNormalizedTokens)
        {
            EncodeNormalized(normalized, 0, normalized.Text.Length, sink);
            return;
        }

        var segments = new List<AddedVocabulary.Segment>();
        Added.Split(normalized.Text, 0, normalized.Text.Length, normalizedTokens: true, segments);
        foreach (var segment in segments)
        {
            if (segment.Token is { } token)
            {
                sink.AddAt(token.Id, normalized.Span(segment.Start, segment.Length), token.Special);
            }
            else
            {
                EncodeNormalized(normalized, segment.Start, segment.Length, sink);
            }
        }
    }

    private void EncodeNormalized(AlignedText text, int start, int length, TokenSink sink)
    {
        var pre = new PreTokenizedText(text, [(start, length)]);
        PreTokenizer?.Apply(pre);
        sink.Current = pre.Text;
        Model.Encode(pre, sink);
        sink.Current = null;
    }
}
