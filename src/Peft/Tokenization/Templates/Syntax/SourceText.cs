namespace Peft.Tokenization.Templates.Syntax;

/// <summary>
/// A template's text after Jinja's newline handling (<c>\r\n</c> and <c>\r</c> become <c>\n</c>; one trailing
/// newline is dropped, as with <c>keep_trailing_newline=False</c>), with a line index for error positions.
/// Line numbers equal those of the original text.
/// </summary>
internal sealed class SourceText
{
    private readonly int[] _lineStarts;

    public SourceText(string original, string? name)
    {
        Text = Normalize(original);
        Name = name;
        var starts = new List<int> { 0 };
        for (var i = 0; i < Text.Length; i++)
        {
            if (Text[i] == '\n')
            {
                starts.Add(i + 1);
            }
        }

        _lineStarts = starts.ToArray();
    }

    public string Text { get; }

    public string? Name { get; }

    /// <summary>1-based line and column of a position in <see cref="Text"/>.</summary>
    public (int Line, int Column) Locate(int position)
    {
        position = Math.Clamp(position, 0, Text.Length);
        var index = Array.BinarySearch(_lineStarts, position);
        if (index < 0)
        {
            index = ~index - 1;
        }

        return (index + 1, position - _lineStarts[index] + 1);
    }

    /// <summary>The text from <paramref name="start"/> to <paramref name="end"/>, shortened to one line of at most 80 characters.</summary>
    public string Snippet(int start, int end)
    {
        start = Math.Clamp(start, 0, Text.Length);
        end = Math.Clamp(end, start, Text.Length);
        var s = Text[start..end];
        var newline = s.IndexOf('\n', StringComparison.Ordinal);
        if (newline >= 0)
        {
            s = s[..newline] + " …";
        }

        return s.Length > 80 ? s[..77] + "..." : s;
    }

    private static string Normalize(string source)
    {
        if (source.IndexOf('\r', StringComparison.Ordinal) >= 0)
        {
            source = source.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        }

        return source.EndsWith('\n') ? source[..^1] : source;
    }
}
