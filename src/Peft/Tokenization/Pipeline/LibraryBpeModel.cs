using System.Text;
using Microsoft.ML.Tokenizers;

namespace Peft.Tokenization.Pipeline;

/// <summary>
/// Byte-level BPE (GPT-2, Llama-3, Qwen2, SmolLM) encoded by Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/>
/// (<c>ByteLevel = true</c>). Pre-tokenization is ours (it must follow the <c>tokenizer.json</c> exactly); the
/// library receives our pieces through <see cref="PieceSplitter"/> and does the merging, once per run of pieces.
/// With <c>ignore_merges</c> (Llama-3), a piece that is itself a vocabulary token is emitted directly, as Hugging Face
/// and tiktoken do, and only the other pieces go to the library.
/// </summary>
internal sealed class LibraryBpeModel : TokenModel
{
    private readonly BpeTokenizer _bpe;
    private readonly Vocabulary _vocab;
    private readonly Dictionary<string, int>? _wholePieces;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _wholeLookup;

    private LibraryBpeModel(BpeTokenizer bpe, Vocabulary vocab, Dictionary<string, int>? wholePieces)
    {
        _bpe = bpe;
        _vocab = vocab;
        _wholePieces = wholePieces;
        if (wholePieces is not null)
        {
            _wholeLookup = wholePieces.GetAlternateLookup<ReadOnlySpan<char>>();
        }
    }

    public override Vocabulary Vocabulary => _vocab;

    /// <summary>True when the library can express these merges (its merge format is "left right", split at the space).</summary>
    public static bool CanExpress(IReadOnlyList<(string Left, string Right)> merges) =>
        merges.All(m => !m.Left.Contains(' ', StringComparison.Ordinal) && !m.Right.Contains(' ', StringComparison.Ordinal));

    /// <exception cref="InvalidOperationException">The library rejects the vocabulary or merges (its message says why).</exception>
    public static LibraryBpeModel Create(Vocabulary vocab, IReadOnlyList<(string Left, string Right)> merges, bool ignoreMerges)
    {
        var options = new BpeOptions(vocab.Ids)
        {
            Merges = merges.Select(m => m.Left + " " + m.Right),
            ByteLevel = true,
            PreTokenizer = PieceSplitter.Instance,
        };
        var bpe = BpeTokenizer.Create(options);

        Dictionary<string, int>? whole = null;
        if (ignoreMerges)
        {
            // Index the vocabulary by the text each token stands for, so pieces are looked up without re-encoding.
            whole = new Dictionary<string, int>(vocab.Count, StringComparer.Ordinal);
            var bytes = new List<byte>(32);
            var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
            foreach (var (token, id) in vocab.Ids)
            {
                bytes.Clear();
                if (!ByteLevelAlphabet.TryDecode(token, bytes))
                {
                    continue;
                }

                try
                {
                    whole.TryAdd(strict.GetString(bytes.ToArray()), id);
                }
                catch (DecoderFallbackException)
                {
                    // A partial UTF-8 sequence can never equal a whole piece of text.
                }
            }
        }

        return new LibraryBpeModel(bpe, vocab, whole);
    }

    public override void Encode(PreTokenizedText text, TokenSink sink)
    {
        var buffer = text.Text.Text;
        if (_wholePieces is null)
        {
            Run(buffer, text.Pieces, sink);
            return;
        }

        List<(int Start, int Length)>? pending = null;
        foreach (var piece in text.Pieces)
        {
            if (_wholeLookup.TryGetValue(buffer.AsSpan(piece.Start, piece.Length), out var id))
            {
                if (pending is not null)
                {
                    Run(buffer, pending, sink);
                    pending = null;
                }

                sink.Add(id, piece.Start, piece.Length);
            }
            else
            {
                (pending ??= new List<(int Start, int Length)>()).Add(piece);
            }
        }

        if (pending is not null)
        {
            Run(buffer, pending, sink);
        }
    }

    private void Run(string buffer, List<(int Start, int Length)> pieces, TokenSink sink)
    {
        if (pieces.Count == 0)
        {
            return;
        }

        PieceSplitter.Pending = pieces;
        try
        {
            if (!sink.WantsOffsets)
            {
                sink.Ids.AddRange(_bpe.EncodeToIds(buffer, considerPreTokenization: true, considerNormalization: false));
                return;
            }

            foreach (var token in _bpe.EncodeToTokens(buffer, out _, considerPreTokenization: true, considerNormalization: false))
            {
                var (start, length) = token.Offset.GetOffsetAndLength(buffer.Length);
                var end = start + length;
                // The library can report half of a surrogate pair; widen to the whole code point.
                if (end < buffer.Length && end > 0 && char.IsHighSurrogate(buffer[end - 1]) && char.IsLowSurrogate(buffer[end]))
                {
                    end++;
                }

                if (start > 0 && start < buffer.Length && char.IsLowSurrogate(buffer[start]) && char.IsHighSurrogate(buffer[start - 1]))
                {
                    start--;
                }

                sink.Add(token.Id, start, end - start);
            }
        }
        finally
        {
            PieceSplitter.Pending = null;
        }
    }

    /// <summary>
    /// Hands our pre-tokenization to the library: the pieces of the call in progress on this thread are returned as
    /// the splits of the text the library was given.
    /// </summary>
    private sealed class PieceSplitter : PreTokenizer
    {
        public static readonly PieceSplitter Instance = new();

        [ThreadStatic]
        private static List<(int Start, int Length)>? t_pending;

        public static List<(int Start, int Length)>? Pending
        {
            get => t_pending;
            set => t_pending = value;
        }

        public override IEnumerable<(int Offset, int Length)> PreTokenize(string text) => Take();

        public override IEnumerable<(int Offset, int Length)> PreTokenize(ReadOnlySpan<char> text) => Take();

        private static List<(int Start, int Length)> Take() =>
            t_pending ?? throw new InvalidOperationException("The BPE library was called outside LibraryBpeModel.Encode.");
    }
}
