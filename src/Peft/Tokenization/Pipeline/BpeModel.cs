using System.Collections.Concurrent;
using System.Text;

namespace Peft.Tokenization.Pipeline;

/// <summary>Settings of a Hugging Face BPE model beyond its vocabulary and merges.</summary>
internal sealed record BpeSettings
{
    public string? UnknownToken { get; init; }
    public bool FuseUnknown { get; init; }
    public bool ByteFallback { get; init; }
    public string? ContinuingSubwordPrefix { get; init; }
    public string? EndOfWordSuffix { get; init; }
    public bool IgnoreMerges { get; init; }

    /// <summary>Pieces are mapped to UTF-8 bytes in <see cref="ByteLevelAlphabet"/> before merging.</summary>
    public bool ByteLevel { get; init; }
}

/// <summary>
/// Hugging Face's BPE model, implemented here for what Microsoft.ML.Tokenizers' <c>BpeTokenizer</c> cannot express:
/// <c>byte_fallback</c> (Llama-2-style <c>tokenizer.json</c>: unknown chars become <c>&lt;0xNN&gt;</c> tokens),
/// merges whose parts contain spaces, and non-byte-level vocabularies. Merging follows Hugging Face exactly: the
/// lowest-rank adjacent pair is merged first, leftmost on ties.
/// </summary>
internal sealed class BpeModel : TokenModel
{
    private const int MaxCachedLength = 128;
    private const int MaxCacheEntries = 200_000;

    private readonly Vocabulary _vocab;
    private readonly BpeSettings _settings;
    private readonly Dictionary<long, long> _merges; // (left id, right id) → (rank, merged id)
    private readonly int[] _byteIds;
    private readonly int _unkId = -1;
    private readonly ConcurrentDictionary<string, Symbol[]> _cache = new();
    private readonly ConcurrentDictionary<string, Symbol[]>.AlternateLookup<ReadOnlySpan<char>> _cacheLookup;

    /// <summary>One token of an encoded piece: its id and the chars of the piece it covers.</summary>
    private readonly record struct Symbol(int Id, int Start, int Length);

    /// <summary>A model whose merges rank in list order (a <c>tokenizer.json</c> or <c>merges.txt</c>).</summary>
    /// <exception cref="ArgumentException">A merge names a token missing from the vocabulary (message says which).</exception>
    public BpeModel(Vocabulary vocab, IReadOnlyList<(string Left, string Right)> merges, BpeSettings settings)
        : this(vocab, merges.Select((m, rank) => (m.Left, m.Right, rank)).ToArray(), settings)
    {
    }

    /// <summary>A model with explicit ranks; several merges may share a rank (SentencePiece: all splits of one piece).</summary>
    /// <exception cref="ArgumentException">A merge names a token missing from the vocabulary (message says which).</exception>
    public BpeModel(Vocabulary vocab, IReadOnlyList<(string Left, string Right, int Rank)> merges, BpeSettings settings)
    {
        _vocab = vocab;
        _settings = settings;
        _cacheLookup = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
        if (settings.UnknownToken is { } unk)
        {
            if (!vocab.TryGetId(unk, out _unkId))
            {
                throw new ArgumentException($"the unk_token '{unk}' is not in the vocabulary");
            }
        }

        _byteIds = new int[256];
        for (var b = 0; b < 256; b++)
        {
            _byteIds[b] = vocab.TryGetId($"<0x{b:X2}>", out var id) ? id : -1;
        }

        var prefixLength = settings.ContinuingSubwordPrefix?.Length ?? 0;
        _merges = new Dictionary<long, long>(merges.Count);
        foreach (var (left, right, rank) in merges)
        {
            if (!vocab.TryGetId(left, out var a))
            {
                throw new ArgumentException($"merge {rank} ('{left}' '{right}') uses '{left}', which is not in the vocabulary");
            }

            if (!vocab.TryGetId(right, out var b))
            {
                throw new ArgumentException($"merge {rank} ('{left}' '{right}') uses '{right}', which is not in the vocabulary");
            }

            var merged = left + (right.Length >= prefixLength ? right[prefixLength..] : right);
            if (!vocab.TryGetId(merged, out var c))
            {
                throw new ArgumentException($"merge {rank} ('{left}' '{right}') makes '{merged}', which is not in the vocabulary");
            }

            _merges[Key(a, b)] = ((long)rank << 32) | (uint)c; // a repeated pair keeps its last rank, as in Hugging Face
        }
    }

    public override Vocabulary Vocabulary => _vocab;

    public override void Encode(PreTokenizedText text, TokenSink sink)
    {
        var s = text.Text.Text;
        foreach (var (start, length) in text.Pieces)
        {
            foreach (var symbol in EncodePiece(s.AsSpan(start, length)))
            {
                sink.Add(symbol.Id, start + symbol.Start, symbol.Length);
            }
        }
    }

    private Symbol[] EncodePiece(ReadOnlySpan<char> piece)
    {
        if (piece.Length <= MaxCachedLength && _cacheLookup.TryGetValue(piece, out var cached))
        {
            return cached;
        }

        var symbols = _settings.ByteLevel ? EncodeByteLevel(piece) : EncodeChars(piece);
        if (piece.Length <= MaxCachedLength && _cache.Count < MaxCacheEntries)
        {
            _cacheLookup.TryAdd(piece, symbols);
        }

        return symbols;
    }

    private Symbol[] EncodeChars(ReadOnlySpan<char> piece)
    {
        if (_settings.IgnoreMerges && _vocab.TryGetId(piece, out var whole))
        {
            return [new Symbol(whole, 0, piece.Length)];
        }

        var units = new List<(string Text, int Start, int Length)>(piece.Length);
        var i = 0;
        while (i < piece.Length)
        {
            var length = char.IsHighSurrogate(piece[i]) && i + 1 < piece.Length && char.IsLowSurrogate(piece[i + 1]) ? 2 : 1;
            units.Add((piece.Slice(i, length).ToString(), i, length));
            i += length;
        }

        return Merge(units);
    }

    private Symbol[] EncodeByteLevel(ReadOnlySpan<char> piece)
    {
        var units = new List<(string Text, int Start, int Length)>(piece.Length * 2);
        Span<byte> bytes = stackalloc byte[4];
        var i = 0;
        while (i < piece.Length)
        {
            var length = char.IsHighSurrogate(piece[i]) && i + 1 < piece.Length && char.IsLowSurrogate(piece[i + 1]) ? 2 : 1;
            var count = Encoding.UTF8.GetBytes(piece.Slice(i, length), bytes);
            for (var k = 0; k < count; k++)
            {
                units.Add((ByteLevelAlphabet.ToChar(bytes[k]).ToString(), i, length));
            }

            i += length;
        }

        if (_settings.IgnoreMerges)
        {
            var mapped = string.Concat(units.Select(u => u.Text));
            if (_vocab.TryGetId(mapped, out var whole))
            {
                return [new Symbol(whole, 0, piece.Length)];
            }
        }

        return Merge(units);
    }

    /// <summary>Builds the initial symbols (with prefix/suffix, byte fallback and unk handling) and merges them.</summary>
    private Symbol[] Merge(List<(string Text, int Start, int Length)> units)
    {
        var ids = new List<int>(units.Count);
        var starts = new List<int>(units.Count);
        var ends = new List<int>(units.Count);
        (int Id, int Start, int End)? unknown = null;

        void FlushUnknown()
        {
            if (unknown is { } u)
            {
                ids.Add(u.Id);
                starts.Add(u.Start);
                ends.Add(u.End);
                unknown = null;
            }
        }

        for (var u = 0; u < units.Count; u++)
        {
            var (text, start, length) = units[u];
            var s = text;
            if (u > 0 && _settings.ContinuingSubwordPrefix is { } prefix)
            {
                s = prefix + s;
            }

            if (u == units.Count - 1 && _settings.EndOfWordSuffix is { } suffix)
            {
                s += suffix;
            }

            if (_vocab.TryGetId(s, out var id))
            {
                FlushUnknown();
                ids.Add(id);
                starts.Add(start);
                ends.Add(start + length);
                continue;
            }

            if (_settings.ByteFallback && TryBytes(s, out var byteIds))
            {
                FlushUnknown();
                foreach (var b in byteIds)
                {
                    ids.Add(b);
                    starts.Add(start);
                    ends.Add(start + length);
                }

                continue;
            }

            if (_unkId >= 0)
            {
                if (unknown is { } pending && _settings.FuseUnknown)
                {
                    unknown = (pending.Id, pending.Start, start + length);
                }
                else
                {
                    FlushUnknown();
                    unknown = (_unkId, start, start + length);
                }
            }

            // Without an unk token Hugging Face drops the char.
        }

        FlushUnknown();
        return MergeAll(ids, starts, ends);
    }

    private bool TryBytes(string s, out int[] byteIds)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        byteIds = new int[bytes.Length];
        for (var k = 0; k < bytes.Length; k++)
        {
            byteIds[k] = _byteIds[bytes[k]];
            if (byteIds[k] < 0)
            {
                return false;
            }
        }

        return true;
    }

    private Symbol[] MergeAll(List<int> ids, List<int> starts, List<int> ends)
    {
        var n = ids.Count;
        var prev = new int[n];
        var next = new int[n];
        var alive = new bool[n];
        for (var k = 0; k < n; k++)
        {
            prev[k] = k - 1;
            next[k] = k + 1 < n ? k + 1 : -1;
            alive[k] = true;
        }

        var queue = new PriorityQueue<(int Pos, int NewId), (int Rank, int Pos)>();
        for (var k = 0; k + 1 < n; k++)
        {
            Enqueue(queue, k, ids[k], ids[k + 1]);
        }

        while (queue.TryDequeue(out var top, out _))
        {
            var pos = top.Pos;
            if (!alive[pos] || next[pos] < 0)
            {
                continue;
            }

            var right = next[pos];
            if (!_merges.TryGetValue(Key(ids[pos], ids[right]), out var entry) || (int)(entry & 0xFFFFFFFF) != top.NewId)
            {
                continue; // stale entry
            }

            ids[pos] = top.NewId;
            ends[pos] = ends[right];
            alive[right] = false;
            next[pos] = next[right];
            if (next[pos] >= 0)
            {
                prev[next[pos]] = pos;
            }

            if (prev[pos] >= 0)
            {
                Enqueue(queue, prev[pos], ids[prev[pos]], ids[pos]);
            }

            if (next[pos] >= 0)
            {
                Enqueue(queue, pos, ids[pos], ids[next[pos]]);
            }
        }

        var result = new List<Symbol>(n);
        for (var k = 0; k >= 0 && k < n; k = next[k])
        {
            result.Add(new Symbol(ids[k], starts[k], ends[k] - starts[k]));
        }

        return result.ToArray();
    }

    private void Enqueue(PriorityQueue<(int Pos, int NewId), (int Rank, int Pos)> queue, int pos, int left, int right)
    {
        if (_merges.TryGetValue(Key(left, right), out var entry))
        {
            queue.Enqueue((pos, (int)(entry & 0xFFFFFFFF)), ((int)(entry >> 32), pos));
        }
    }

    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;
}
