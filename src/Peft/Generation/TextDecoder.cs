using Peft.Tokenization;
namespace Peft.Generation;

/// <summary>
/// Follows one sequence's generated tokens as text: finds stop strings, and releases text for streaming only
/// when it can no longer change — not while a multi-byte character is incomplete (the decode ends in U+FFFD)
/// and not while the tail could still become a stop string.
/// </summary>
internal sealed class TextDecoder
{
    private readonly ITokenCodec _codec;
    private readonly IReadOnlyList<string> _stopStrings;
    private readonly int _holdBack;
    private readonly List<long> _tokens = new();
    private string _text = string.Empty;
    private int _released;

    public TextDecoder(ITokenCodec codec, IReadOnlyList<string> stopStrings)
    {
        _codec = codec;
        _stopStrings = stopStrings;
        _holdBack = stopStrings.Count == 0 ? 0 : stopStrings.Max(s => s.Length) - 1;
    }

    /// <summary>Index in the text where a stop string starts, once one has appeared.</summary>
    public int? StopIndex { get; private set; }

    /// <summary>The stop string found, if any.</summary>
    public string? StopString { get; private set; }

    /// <summary>Adds a token; returns false once a stop string has appeared.</summary>
    public bool Add(long token)
    {
        _tokens.Add(token);
        _text = _codec.Decode(_tokens, skipSpecialTokens: true);
        var searchFrom = Math.Max(0, _released - _holdBack);
        foreach (var stop in _stopStrings)
        {
            var at = _text.IndexOf(stop, searchFrom, StringComparison.Ordinal);
            if (at >= 0 && (StopIndex is null || at < StopIndex))
            {
                StopIndex = at;
                StopString = stop;
            }
        }

        return StopIndex is null;
    }

    /// <summary>Text that became final since the last call (for streaming).</summary>
    public string Release(bool final, bool includeStopString)
    {
        int end;
        if (StopIndex is { } stop)
        {
            end = includeStopString ? stop + StopString!.Length : stop;
        }
        else if (final)
        {
            end = _text.Length;
        }
        else
        {
            end = _text.Length - _holdBack;
            while (end > 0 && end <= _text.Length && end > _released && _text[end - 1] == '\uFFFD')
            {
                end--; // an incomplete UTF-8 sequence may still complete
            }

            if (end > 0 && end < _text.Length && char.IsHighSurrogate(_text[end - 1]))
            {
                end--;
            }
        }

        if (end <= _released)
        {
            return string.Empty;
        }

        var piece = _text[_released..end];
        _released = end;
        return piece;
    }

    /// <summary>The whole text, cut at the stop string unless it is to be kept.</summary>
    public string FinalText(bool includeStopString) =>
        StopIndex is { } stop ? _text[..(includeStopString ? stop + StopString!.Length : stop)] : _text;
}
