namespace Peft.Evaluation.Rouge;

/// <summary>
/// The default tokenizer of Google's <c>rouge_score</c> (<c>tokenizers.DefaultTokenizer</c>), optionally with NLTK's
/// Porter stemmer.
/// </summary>
/// <remarks>
/// <para>
/// The text is lowercased (as Python's <c>str.lower</c> does), every run of characters outside <c>[a-z0-9]</c> is
/// replaced by a space, and the result is split on whitespace. With stemming, tokens longer than three characters
/// are stemmed by <see cref="PorterStemmer"/>; tokens that are not made only of <c>[a-z0-9]</c> afterwards are
/// dropped.
/// </para>
/// <para>
/// So letters outside ASCII are separators: accented words are split (<c>"café"</c> → <c>caf</c>) and text in
/// non-Latin scripts yields no tokens at all, which makes its ROUGE score 0. Two non-ASCII characters lowercase to
/// ASCII in Python and are honoured the same way here: <c>U+0130</c> (İ) becomes <c>i</c> followed by a separator
/// (Python gives <c>i</c> plus a combining dot) and the Kelvin sign <c>U+212A</c> becomes <c>k</c>. Instances are
/// immutable and thread-safe.
/// </para>
/// </remarks>
public sealed class RougeTokenizer
{
    private RougeTokenizer(bool useStemmer) => UseStemmer = useStemmer;

    /// <summary>Whether tokens longer than three characters are Porter-stemmed.</summary>
    public bool UseStemmer { get; }

    /// <summary>Creates a tokenizer.</summary>
    /// <param name="useStemmer">Stem tokens longer than three characters (rouge_score's <c>use_stemmer</c>).</param>
    /// <returns>The tokenizer.</returns>
    public static RougeTokenizer Create(bool useStemmer = false) => new(useStemmer);

    /// <summary>Splits a text into ROUGE tokens.</summary>
    /// <param name="text">Any text.</param>
    /// <returns>The tokens in order; empty when the text has no ASCII letters or digits.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public IReadOnlyList<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<string>();
        Tokenize(text, tokens);
        return tokens;
    }

    /// <summary>Appends the tokens of <paramref name="text"/> to <paramref name="tokens"/>.</summary>
    internal void Tokenize(ReadOnlySpan<char> text, List<string> tokens)
    {
        // Lowercase and map every character outside [a-z0-9] to a space; U+0130 may take two characters.
        var capacity = text.Length * 2;
        var mapped = capacity <= 512 ? stackalloc char[capacity] : new char[capacity];
        var length = 0;
        foreach (var c in text)
        {
            switch (c)
            {
                case >= 'a' and <= 'z' or >= '0' and <= '9':
                    mapped[length++] = c;
                    break;
                case >= 'A' and <= 'Z':
                    mapped[length++] = (char)(c + ('a' - 'A'));
                    break;
                case '\u212A': // KELVIN SIGN: Python lowercases it to 'k'.
                    mapped[length++] = 'k';
                    break;
                case '\u0130': // LATIN CAPITAL LETTER I WITH DOT ABOVE: Python gives 'i' + U+0307, a separator.
                    mapped[length++] = 'i';
                    mapped[length++] = ' ';
                    break;
                default:
                    mapped[length++] = ' ';
                    break;
            }
        }

        var start = 0;
        while (start < length)
        {
            if (mapped[start] == ' ')
            {
                start++;
                continue;
            }

            var end = start;
            while (end < length && mapped[end] != ' ')
            {
                end++;
            }

            var token = new string(mapped[start..end]);
            start = end;
            if (UseStemmer && token.Length > 3)
            {
                token = PorterStemmer.Instance.Stem(token);
                if (!IsValidToken(token))
                {
                    continue;
                }
            }

            tokens.Add(token);
        }
    }

    private static bool IsValidToken(string token)
    {
        if (token.Length == 0)
        {
            return false;
        }

        foreach (var c in token)
        {
            if (c is not (>= 'a' and <= 'z' or >= '0' and <= '9'))
            {
                return false;
            }
        }

        return true;
    }
}
