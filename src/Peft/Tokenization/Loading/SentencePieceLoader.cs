using Microsoft.ML.Tokenizers;
using Peft.Tokenization.Pipeline;

namespace Peft.Tokenization.Loading;

/// <summary>
/// Builds a tokenizer from a SentencePiece <c>tokenizer.model</c> as transformers' Llama tokenizer uses it:
/// unk/bos/eos become special added tokens; decoding follows the converted fast tokenizer (▁ → space, byte-fallback
/// bytes joined, one leading space stripped).
/// </summary>
/// <remarks>
/// BPE models with the <c>identity</c> normalizer (Llama-2, Mistral, TinyLlama) run on the managed
/// <see cref="BpeModel"/>: every adjacent pair whose concatenation is a piece may merge, the highest-scoring piece
/// first and the leftmost on ties, exactly as SentencePiece does. Microsoft.ML.Tokenizers 2.0.1's SentencePiece BPE
/// breaks ties the other way (rightmost first: "▁▁▁" becomes ["▁", "▁▁"] instead of ["▁▁", "▁"]), so it is used only
/// for what the managed code does not implement: Unigram models and precompiled (NFKC) normalization rules.
/// </remarks>
internal static class SentencePieceLoader
{
    /// <exception cref="TokenizerFormatException">The file is not a valid or supported SentencePiece model.</exception>
    public static PipelineParts Load(string file, bool legacy, bool forceLibrary = false)
    {
        var data = File.ReadAllBytes(file);
        var spec = SentencePieceSpec.Read(file, data);
        if (spec.ModelType is not (1 or 2))
        {
            throw new TokenizerFormatException(file, "trainer_spec.model_type", $"model type {spec.ModelType} is not supported (supported: 1 = Unigram, 2 = BPE)");
        }

        // With the identity rule we normalize ourselves, which keeps offsets and lets the dummy prefix follow
        // transformers' legacy flag; precompiled rules (NFKC maps) are left to the library.
        var identity = spec.PrecompiledCharsmapLength == 0 && !spec.TreatWhitespaceAsSuffix;
        var normalizer = identity
            ? new Pipeline.SentencePieceNormalizer(spec.AddDummyPrefix, spec.RemoveExtraWhitespaces, spec.EscapeWhitespaces, legacy)
            : null;
        TokenModel model = identity && spec.ModelType == 2 && !forceLibrary
            ? ManagedBpe(file, spec)
            : new SentencePieceModel(CreateLibraryTokenizer(file, data), libraryNormalizes: !identity);

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
    private static SentencePieceTokenizer CreateLibraryTokenizer(string file, byte[] data)
    {
        try
        {
            using var stream = new MemoryStream(data, writable: false);
            return SentencePieceTokenizer.Create(stream, addBeginningOfSentence: false, addEndOfSentence: false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new TokenizerFormatException(file, null, $"Microsoft.ML.Tokenizers cannot load this SentencePiece model: {e.Message}", e);
        }
    }

    /// <summary>
    /// The SentencePiece BPE model as merge rules: a pair (left, right) of pieces may merge when left + right is a
    /// normal or user-defined piece; pieces rank by score (higher first), so a piece's splits share its rank and the
    /// leftmost occurrence merges first. Unknown chars fall back to bytes (or to a fused unk token).
    /// </summary>
    private static BpeModel ManagedBpe(string file, SentencePieceSpec spec)
    {
        var ids = new Dictionary<string, int>(spec.Pieces.Count, StringComparer.Ordinal);
        for (var id = 0; id < spec.Pieces.Count; id++)
        {
            if (!ids.TryAdd(spec.Pieces[id].Piece, id))
            {
                throw new TokenizerFormatException(file, $"pieces[{id}]", $"the piece '{spec.Pieces[id].Piece}' appears twice (first as id {ids[spec.Pieces[id].Piece]})");
            }
        }

        var ranked = Enumerable.Range(0, spec.Pieces.Count)
            .Where(id => spec.Pieces[id].Type is SentencePieceSpec.Normal or SentencePieceSpec.UserDefined && spec.Pieces[id].Piece.Length > 1)
            .OrderByDescending(id => spec.Pieces[id].Score)
            .ThenBy(id => id)
            .ToArray();
        var merges = new List<(string Left, string Right, int Rank)>();
        for (var rank = 0; rank < ranked.Length; rank++)
        {
            var piece = spec.Pieces[ranked[rank]].Piece;
            for (var k = 1; k < piece.Length; k++)
            {
                if (char.IsLowSurrogate(piece[k]))
                {
                    continue;
                }

                var (left, right) = (piece[..k], piece[k..]);
                if (ids.ContainsKey(left) && ids.ContainsKey(right))
                {
                    merges.Add((left, right, rank));
                }
            }
        }

        var settings = new BpeSettings
        {
            UnknownToken = spec.PieceAt(spec.UnkId),
            FuseUnknown = true,
            ByteFallback = spec.ByteFallback,
        };
        return new BpeModel(new Vocabulary(ids), merges, settings);
    }
}
