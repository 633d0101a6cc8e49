namespace Peft.Tokenization.Pipeline;

/// <summary>A model vocabulary: token string ↔ id, with span look-ups that do not allocate.</summary>
internal sealed class Vocabulary
{
    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _spanIds;
    private readonly string?[] _tokens;

    /// <exception cref="ArgumentException">An id is negative or two tokens share an id.</exception>
    public Vocabulary(Dictionary<string, int> ids)
    {
        _ids = ids;
        _spanIds = ids.GetAlternateLookup<ReadOnlySpan<char>>();
        var max = ids.Count == 0 ? -1 : ids.Values.Max();
        _tokens = new string?[max + 1];
        foreach (var (token, id) in ids)
        {
            if (id < 0)
            {
                throw new ArgumentException($"token '{token}' has a negative id {id}");
            }

            if (_tokens[id] is { } other)
            {
                throw new ArgumentException($"tokens '{other}' and '{token}' both have id {id}");
            }

            _tokens[id] = token;
        }
    }

    /// <summary>Number of tokens.</summary>
    public int Count => _ids.Count;

    /// <summary>The token-to-id map.</summary>
    public IReadOnlyDictionary<string, int> Ids => _ids;

    public bool TryGetId(string token, out int id) => _ids.TryGetValue(token, out id);

    public bool TryGetId(ReadOnlySpan<char> token, out int id) => _spanIds.TryGetValue(token, out id);

    public string? GetToken(int id) => (uint)id < (uint)_tokens.Length ? _tokens[id] : null;
}

/// <summary>Collects the ids (and, when asked, input offsets) a pipeline produces.</summary>
internal sealed class TokenSink
{
    public TokenSink(bool withOffsets)
    {
        if (withOffsets)
        {
            Offsets = new List<(int Start, int End)>();
            Special = new List<bool>();
        }
    }

    public List<int> Ids { get; } = new();

    /// <summary>Input offsets, one per id; null when offsets were not requested.</summary>
    public List<(int Start, int End)>? Offsets { get; }

    /// <summary>Whether each id is a special token; null when offsets were not requested.</summary>
    public List<bool>? Special { get; }

    public bool WantsOffsets => Offsets is not null;

    /// <summary>The text the model is encoding; positions given to <see cref="Add(int, int, int)"/> index into it.</summary>
    public AlignedText? Current { get; set; }

    /// <summary>Adds a model token found at <c>Current.Text[start, start + length)</c>.</summary>
    public void Add(int id, int start, int length)
    {
        Ids.Add(id);
        if (Offsets is not null)
        {
            Offsets.Add(Current!.Span(start, length));
            Special!.Add(false);
        }
    }

    /// <summary>Adds a token with offsets already in input coordinates.</summary>
    public void AddAt(int id, (int Start, int End) offsets, bool special)
    {
        Ids.Add(id);
        if (Offsets is not null)
        {
            Offsets.Add(offsets);
            Special!.Add(special);
        }
    }

    /// <summary>Adds ids whose offsets are unknown beyond the range they came from.</summary>
    public void AddRange(IEnumerable<int> ids, (int Start, int End) range)
    {
        foreach (var id in ids)
        {
            AddAt(id, range, special: false);
        }
    }
}

/// <summary>A tokenization model (BPE, SentencePiece): turns pre-tokenized pieces into ids.</summary>
internal abstract class TokenModel
{
    /// <summary>The model's vocabulary (without added tokens).</summary>
    public abstract Vocabulary Vocabulary { get; }

    /// <summary>Encodes every piece of <paramref name="text"/>, in order, into <paramref name="sink"/>.</summary>
    public abstract void Encode(PreTokenizedText text, TokenSink sink);
}
