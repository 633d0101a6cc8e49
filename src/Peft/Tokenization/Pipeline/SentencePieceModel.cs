using Microsoft.ML.Tokenizers;

namespace Peft.Tokenization.Pipeline;

/// <summary>
/// A SentencePiece <c>tokenizer.model</c> (Llama-2, Mistral, TinyLlama) encoded by Microsoft.ML.Tokenizers'
/// <see cref="SentencePieceTokenizer"/>. For the <c>identity</c> normalizer rule the text arrives already normalized
/// by our <see cref="SentencePieceNormalizer"/> (so the dummy prefix follows transformers' <c>legacy</c> flag and
/// offsets are exact); otherwise the library normalizes it (precompiled NFKC rules) and every token gets the input
/// range of its segment as offsets.
/// </summary>
internal sealed class SentencePieceModel : TokenModel
{
    private readonly SentencePieceTokenizer _sp;
    private readonly Vocabulary _vocab;
    private readonly bool _libraryNormalizes;

    public SentencePieceModel(SentencePieceTokenizer sp, bool libraryNormalizes)
    {
        _sp = sp;
        _libraryNormalizes = libraryNormalizes;
        _vocab = new Vocabulary(new Dictionary<string, int>(sp.Vocabulary, StringComparer.Ordinal));
    }

    public override Vocabulary Vocabulary => _vocab;

    /// <summary>The library tokenizer.</summary>
    public SentencePieceTokenizer Library => _sp;

    public override void Encode(PreTokenizedText text, TokenSink sink)
    {
        var s = text.Text.Text;
        foreach (var (start, length) in text.Pieces)
        {
            var span = s.AsSpan(start, length);
            if (!sink.WantsOffsets)
            {
                sink.Ids.AddRange(_sp.EncodeToIds(span, addBeginningOfSentence: false, addEndOfSentence: false, considerPreTokenization: false, considerNormalization: _libraryNormalizes));
                continue;
            }

            var tokens = _sp.EncodeToTokens(span, out _, addBeginningOfSentence: false, addEndOfSentence: false, considerPreTokenization: false, considerNormalization: _libraryNormalizes);
            if (_libraryNormalizes)
            {
                sink.AddRange(tokens.Select(t => t.Id), text.Text.Span(start, length));
                continue;
            }

            (int Start, int Length) previous = (0, 0);
            foreach (var token in tokens)
            {
                var (offset, count) = token.Offset.GetOffsetAndLength(length);
                // Byte-fallback tokens after the first of a char come with an empty range; give them the char's.
                if (count == 0 && offset == previous.Start)
                {
                    (offset, count) = previous;
                }

                previous = (offset, count);
                sink.Add(token.Id, start + offset, count);
            }
        }
    }
}
