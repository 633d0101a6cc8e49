namespace Peft.Tokenization;

/// <summary>
/// Turns ids arriving one at a time (during generation) into text as soon as it is complete. It never emits half of a
/// multi-byte UTF-8 character: a token that ends inside one (byte-level BPE, or <c>&lt;0xNN&gt;</c> byte fallback)
/// is held back until the following tokens complete it. Decoders that drop a leading space at the start of the text
/// (SentencePiece's "▁") are handled by decoding a small window of earlier ids together with the new ones and
/// emitting only the difference.
/// </summary>
/// <remarks>Create one with <see cref="PretrainedTokenizer.CreateIncrementalDecoder"/>; an instance is not thread-safe.</remarks>
public sealed class IncrementalDecoder
{
    private const int ContextIds = 8;

    private readonly PretrainedTokenizer _tokenizer;
    private readonly bool _skipSpecialTokens;
    private readonly List<int> _ids = new();
    private readonly System.Text.StringBuilder _emitted = new();
    private int _prefix;
    private int _read;
    private string _prefixText = string.Empty;

    internal IncrementalDecoder(PretrainedTokenizer tokenizer, bool skipSpecialTokens, IReadOnlyList<int>? promptIds)
    {
        _tokenizer = tokenizer;
        _skipSpecialTokens = skipSpecialTokens;
        if (promptIds is { Count: > 0 })
        {
            _ids.AddRange(promptIds.Skip(Math.Max(0, promptIds.Count - ContextIds)));
            _read = _ids.Count;
            _prefixText = Decode(_prefix, _read);
        }
    }

    /// <summary>All text emitted so far.</summary>
    public string Text => _emitted.ToString();

    /// <summary>Adds one generated id.</summary>
    /// <param name="id">The id the model produced.</param>
    /// <returns>The text this id completes (possibly empty while a character is incomplete).</returns>
    public string Push(int id)
    {
        _ids.Add(id);
        var text = Decode(_prefix, _ids.Count);
        if (text.Length <= _prefixText.Length || text.EndsWith('\uFFFD'))
        {
            return string.Empty;
        }

        return Advance(text);
    }

    /// <summary>Emits whatever is still held back (an incomplete character becomes U+FFFD), e.g. when generation stops.</summary>
    /// <returns>The remaining text, possibly empty.</returns>
    public string Flush()
    {
        var text = Decode(_prefix, _ids.Count);
        var delta = text.Length > _prefixText.Length ? Advance(text) : string.Empty;
        // Start a fresh window: text decoded so far may end in U+FFFD that later ids would otherwise rewrite.
        _prefix = _read = _ids.Count;
        _prefixText = string.Empty;
        return delta;
    }

    private string Advance(string text)
    {
        // The window's text normally extends the previous one; if a decoder rewrote it, emit from where they differ.
        var common = text.AsSpan().CommonPrefixLength(_prefixText);
        var delta = text[common..];
        _emitted.Append(delta);
        _prefix = _read;
        _read = _ids.Count;
        if (_prefix > 4 * ContextIds)
        {
            _ids.RemoveRange(0, _prefix);
            _read -= _prefix;
            _prefix = 0;
        }

        _prefixText = Decode(_prefix, _read);
        return delta;
    }

    private string Decode(int start, int end) =>
        end <= start ? string.Empty : _tokenizer.DecodeRaw(_ids.GetRange(start, end - start), _skipSpecialTokens);
}
