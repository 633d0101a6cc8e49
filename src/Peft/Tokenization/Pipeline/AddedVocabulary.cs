using System.Buffers;

namespace Peft.Tokenization.Pipeline;

/// <summary>
/// Finds added tokens in text the way Hugging Face's <c>AddedVocabulary</c> does: leftmost-longest matches of the
/// tokens' contents, with <c>single_word</c>, <c>lstrip</c> and <c>rstrip</c> applied to each match. Tokens with
/// <c>normalized = false</c> are matched in the raw input; the others in the normalized text (their content is
/// normalized the same way first).
/// </summary>
internal sealed class AddedVocabulary
{
    private readonly Dictionary<int, AddedToken> _byId = new();
    private readonly Dictionary<string, AddedToken> _byContent = new(StringComparer.Ordinal);
    private readonly Matcher _raw;
    private readonly Matcher _normalized;

    /// <summary>A piece of text: either plain text to encode or a matched added token.</summary>
    internal readonly record struct Segment(int Start, int Length, AddedToken? Token);

    public AddedVocabulary(IEnumerable<AddedToken> tokens, TextNormalizer? normalizer, bool splitSpecialTokens)
    {
        var list = new List<AddedToken>();
        foreach (var token in tokens)
        {
            if (token.Content.Length == 0 || _byContent.ContainsKey(token.Content))
            {
                continue;
            }

            _byId[token.Id] = token;
            _byContent[token.Content] = token;
            list.Add(token);
        }

        Tokens = list;
        var matchable = list.Where(t => !(splitSpecialTokens && t.Special)).ToList();
        _raw = new Matcher(matchable.Where(t => !t.Normalized).Select(t => (t.Content, t)));
        _normalized = new Matcher(matchable.Where(t => t.Normalized).Select(t =>
            (normalizer is null ? t.Content : normalizer.Normalize(new AlignedText(t.Content, 0)).Text, t)));
    }

    /// <summary>All added tokens, in the order given (duplicates by content dropped).</summary>
    public IReadOnlyList<AddedToken> Tokens { get; }

    /// <summary>True when some tokens are matched in normalized text.</summary>
    public bool HasNormalizedTokens => !_normalized.IsEmpty;

    public bool TryGetById(int id, out AddedToken token) => _byId.TryGetValue(id, out token!);

    public bool TryGetByContent(string content, out AddedToken token) => _byContent.TryGetValue(content, out token!);

    /// <summary>Splits <c>text[start, start + length)</c> at raw (or, with <paramref name="normalizedTokens"/>, normalized) added tokens.</summary>
    public void Split(string text, int start, int length, bool normalizedTokens, List<Segment> output) =>
        (normalizedTokens ? _normalized : _raw).Split(text, start, length, output);

    private sealed class Matcher
    {
        private readonly Dictionary<char, (string Content, AddedToken Token)[]> _byFirstChar;
        private readonly SearchValues<char> _firstChars;

        public Matcher(IEnumerable<(string Content, AddedToken Token)> tokens)
        {
            _byFirstChar = tokens
                .Where(t => t.Content.Length > 0)
                .GroupBy(t => t.Content[0])
                .ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.Content.Length).ToArray());
            _firstChars = SearchValues.Create(_byFirstChar.Keys.ToArray());
        }

        public bool IsEmpty => _byFirstChar.Count == 0;

        public void Split(string text, int start, int length, List<Segment> output)
        {
            var end = start + length;
            var segmentStart = start;
            var i = start;
            while (i < end && !IsEmpty)
            {
                var skip = text.AsSpan(i, end - i).IndexOfAny(_firstChars);
                if (skip < 0)
                {
                    break;
                }

                i += skip;
                var candidates = _byFirstChar[text[i]];

                var rest = text.AsSpan(i, end - i);
                (string Content, AddedToken Token)? found = null;
                foreach (var candidate in candidates)
                {
                    if (rest.StartsWith(candidate.Content, StringComparison.Ordinal))
                    {
                        found = candidate;
                        break;
                    }
                }

                if (found is not { } match)
                {
                    i++;
                    continue;
                }

                var matchStart = i;
                var matchEnd = i + match.Content.Length;
                var token = match.Token;
                if (token.SingleWord && (EndsWithWordChar(text, start, matchStart) || StartsWithWordChar(text, matchEnd, end)))
                {
                    // Like the Aho-Corasick scan Hugging Face uses, a rejected match is still consumed.
                    i = matchEnd;
                    continue;
                }

                if (token.LStrip)
                {
                    while (matchStart > segmentStart && char.IsWhiteSpace(text[matchStart - 1]))
                    {
                        matchStart--;
                    }
                }

                if (token.RStrip)
                {
                    while (matchEnd < end && char.IsWhiteSpace(text[matchEnd]))
                    {
                        matchEnd++;
                    }
                }

                if (matchStart > segmentStart)
                {
                    output.Add(new Segment(segmentStart, matchStart - segmentStart, null));
                }

                output.Add(new Segment(matchStart, matchEnd - matchStart, token));
                segmentStart = matchEnd;
                i = matchEnd;
            }

            if (end > segmentStart)
            {
                output.Add(new Segment(segmentStart, end - segmentStart, null));
            }
        }

        private static bool EndsWithWordChar(string text, int start, int position) =>
            position > start && IsWordChar(text[position - 1]);

        private static bool StartsWithWordChar(string text, int position, int end) =>
            position < end && IsWordChar(text[position]);

        private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';
    }
}
