using Microsoft.ML.Tokenizers;
using Peft.Tokenization.Pipeline;

namespace Peft.Tokenization.Loading;

/// <summary>
/// Builds a tokenizer from a SentencePiece <c>tokenizer.model</c> as transformers' Llama tokenizer uses it: the model
/// itself runs in Microsoft.ML.Tokenizers; unk/bos/eos become special added tokens; decoding follows the converted
/// fast tokenizer (▁ → space, byte-fallback bytes joined, one leading space stripped).
/// </summary>
internal static class SentencePieceLoader
{
    /// <exception cref="TokenizerFormatException">The file is not a valid or supported SentencePiece model.</exception>
    public static PipelineParts Load(string file, bool legacy)
    {
        var data = File.ReadAllBytes(file);
        var spec = SentencePieceSpec.Read(file, data);
        if (spec.ModelType is not (1 or 2))
        {
            throw new TokenizerFormatException(file, "trainer_spec.model_type", $"model type {spec.ModelType} is not supported (supported: 1 = Unigram, 2 = BPE)");
        }

        SentencePieceTokenizer library;
        try
        {
            using var stream = new MemoryStream(data, writable: false);
            library = SentencePieceTokenizer.Create(stream, addBeginningOfSentence: false, addEndOfSentence: false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new TokenizerFormatException(file, null, $"Microsoft.ML.Tokenizers cannot load this SentencePiece model: {e.Message}", e);
        }

        // With the identity rule (Llama-2, Mistral, TinyLlama) we normalize ourselves, which keeps offsets and lets
        // the dummy prefix follow transformers' legacy flag; precompiled rules (NFKC maps) are left to the library.
        var identity = spec.PrecompiledCharsmapLength == 0 && !spec.TreatWhitespaceAsSuffix;
        var normalizer = identity
            ? new Pipeline.SentencePieceNormalizer(spec.AddDummyPrefix, spec.RemoveExtraWhitespaces, spec.EscapeWhitespaces, legacy)
            : null;
        var model = new SentencePieceModel(library, libraryNormalizes: !identity);

        var added = new List<AddedToken>();
        foreach (var id in new[] { spec.UnkId, spec.BosId, spec.EosId, spec.PadId })
        {
            if (spec.PieceAt(id) is { } piece && !added.Exists(t => t.Id == id))
            {
                added.Add(new AddedToken(id, piece, Special: true));
            }
        }

        for (var id = 0; id < spec.Pieces.Count; id++)
        {
            if (spec.Pieces[id].Type == SentencePieceSpec.UserDefined)
            {
                added.Add(new AddedToken(id, spec.Pieces[id].Piece, Special: false));
            }
        }

        var decoderSteps = new List<TokenDecoder>
        {
            new ReplaceDecoder(UnicodeRegex.Literal("\u2581"), " "),
            new ByteFallbackDecoder(),
            new FuseDecoder(),
        };
        if (spec.AddDummyPrefix)
        {
            decoderSteps.Add(new StripDecoder(' ', 1, 0));
        }

        return new PipelineParts
        {
            Format = TokenizerFileFormat.SentencePieceModel,
            MainFile = file,
            Normalizer = normalizer,
            Model = model,
            Decoder = new SequenceDecoder(decoderSteps),
            AddedTokens = added,
            DefaultBos = spec.PieceAt(spec.BosId),
            DefaultEos = spec.PieceAt(spec.EosId),
            DefaultUnk = spec.PieceAt(spec.UnkId),
        };
    }
}
