using System.Text;

namespace Peft.Tokenization.Pipeline;

/// <summary>
/// Text derived from a slice of the caller's input (possibly normalized or rewritten), with every char mapped back to
/// the range of input chars it came from. Offsets of tokens found in <see cref="Text"/> are converted to input
/// offsets through <see cref="Span"/>.
/// </summary>
internal sealed class AlignedText
{
    // For a rewritten text, char i came from input chars [_starts[i], _ends[i]); inserted chars have an empty range.
    private readonly int[]? _starts;
    private readonly int[]? _ends;
    private readonly int _origin;

    /// <summary>Text that is an unchanged copy of the input starting at <paramref name="origin"/>.</summary>
    public AlignedText(string text, int origin)
    {
        Text = text;
        _origin = origin;
    }

    /// <summary>Rewritten text with the input range of every char.</summary>
    public AlignedText(string text, int[] starts, int[] ends)
    {
        if (starts.Length != text.Length || ends.Length != text.Length)
        {
            throw new ArgumentException($"The offset maps need {text.Length} entries; found {starts.Length} and {ends.Length}.");
        }

        Text = text;
        _starts = starts;
        _ends = ends;
    }

    /// <summary>The (normalized) text.</summary>
    public string Text { get; }

    /// <summary>The same alignment over a different text of the same length (a char-for-char rewrite).</summary>
    public AlignedText WithText(string sameLength)
    {
        if (sameLength.Length != Text.Length)
        {
            throw new ArgumentException($"Expected {Text.Length} chars; found {sameLength.Length}.", nameof(sameLength));
        }

        return _starts is null ? new AlignedText(sameLength, _origin) : new AlignedText(sameLength, _starts, _ends!);
    }

    /// <summary>True when <see cref="Text"/> is an unchanged slice of the input.</summary>
    public bool IsIdentity => _starts is null;

    /// <summary>The input offset where <c>Text[index]</c> starts.</summary>
    public int StartOf(int index) => _starts is null ? _origin + index : _starts[index];

    /// <summary>The input offset just past <c>Text[index]</c>.</summary>
    public int EndOf(int index) => _ends is null ? _origin + index + 1 : _ends[index];

    /// <summary>The input range <c>[start, end)</c> that chars <c>[start, start + length)</c> of the text came from.</summary>
    public (int Start, int End) Span(int start, int length)
    {
        if (length <= 0)
        {
            var at = start < Text.Length ? StartOf(start) : Text.Length == 0 ? _origin : EndOf(Text.Length - 1);
            return (at, at);
        }

        var s = StartOf(start);
        var e = EndOf(start + length - 1);
        return (s, Math.Max(s, e));
    }
}

/// <summary>Builds an <see cref="AlignedText"/> char by char, recording each char's input range.</summary>
internal sealed class AlignedTextBuilder
{
    private readonly StringBuilder _text;
    private readonly List<int> _starts;
    private readonly List<int> _ends;

    public AlignedTextBuilder(int capacity)
    {
        _text = new StringBuilder(capacity);
        _starts = new List<int>(capacity);
        _ends = new List<int>(capacity);
    }

    public int Length => _text.Length;

    /// <summary>Copies <paramref name="length"/> chars of <paramref name="source"/> with their input ranges.</summary>
    public void Copy(AlignedText source, int start, int length)
    {
        _text.Append(source.Text, start, length);
        for (var i = 0; i < length; i++)
        {
            _starts.Add(source.StartOf(start + i));
            _ends.Add(source.EndOf(start + i));
        }
    }

    /// <summary>Appends chars that all came from input range <c>[start, end)</c> (empty for insertions).</summary>
    public void Append(ReadOnlySpan<char> chars, int start, int end)
    {
        _text.Append(chars);
        for (var i = 0; i < chars.Length; i++)
        {
            _starts.Add(start);
            _ends.Add(end);
        }
    }

    /// <summary>Appends one char that came from input range <c>[start, end)</c>.</summary>
    public void Append(char c, int start, int end)
    {
        _text.Append(c);
        _starts.Add(start);
        _ends.Add(end);
    }

    /// <summary>Finishes the text.</summary>
    public AlignedText Build() => new(_text.ToString(), _starts.ToArray(), _ends.ToArray());
}

/// <summary>The output of pre-tokenization: a text and the pieces (words) the model encodes one by one.</summary>
internal sealed class PreTokenizedText
{
    public PreTokenizedText(AlignedText text, List<(int Start, int Length)> pieces)
    {
        Text = text;
        Pieces = pieces;
    }

    /// <summary>The text the pieces index into; rewriting steps replace it.</summary>
    public AlignedText Text { get; private set; }

    /// <summary>Non-empty, ordered, non-overlapping pieces of <see cref="Text"/>.</summary>
    public List<(int Start, int Length)> Pieces { get; set; }

    /// <summary>
    /// Rewrites every piece: optionally prefixes it and replaces one char by another, then re-indexes the pieces
    /// into the new text. Inserted chars get an empty input range at the piece's first char.
    /// </summary>
    public void Rewrite(Func<AlignedText, (int Start, int Length), string?> prefixFor, char replaceFrom, char replaceTo)
    {
        var source = Text;
        var builder = new AlignedTextBuilder(source.Text.Length + Pieces.Count);
        var pieces = new List<(int Start, int Length)>(Pieces.Count);
        foreach (var piece in Pieces)
        {
            var start = builder.Length;
            var prefix = prefixFor(source, piece);
            if (!string.IsNullOrEmpty(prefix))
            {
                var at = source.StartOf(piece.Start);
                builder.Append(prefix, at, at);
            }

            for (var i = 0; i < piece.Length; i++)
            {
                var c = source.Text[piece.Start + i];
                builder.Append(c == replaceFrom ? replaceTo : c, source.StartOf(piece.Start + i), source.EndOf(piece.Start + i));
            }

            pieces.Add((start, builder.Length - start));
        }

        Text = builder.Build();
        Pieces = pieces;
    }
}
