namespace Peft.Evaluation.Rouge;

/// <summary>How <c>rougeLsum</c> cuts a text into sentences.</summary>
internal static class SentenceSplitter
{
    // Words that end with a period without ending a sentence (compared lowercase, without the period).
    private static readonly HashSet<string> Abbreviations = new(StringComparer.Ordinal)
    {
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "vs", "etc", "e.g", "i.e", "cf", "al", "inc",
        "ltd", "co", "corp", "no", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
        "dec", "u.s", "u.k", "a.m", "p.m", "gen", "gov", "sen", "rep", "rev", "fig", "approx", "dept", "est",
    };

    /// <summary>
    /// rouge_score without <c>split_summaries</c>: the text split on <c>'\n'</c>, zero-length pieces dropped. A piece
    /// that is only <c>'\r'</c> or spaces is kept (and has no tokens), which does not change any score.
    /// </summary>
    public static List<string> SplitLines(string text)
    {
        var sentences = new List<string>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length > 0)
            {
                sentences.Add(line);
            }
        }

        return sentences;
    }

    /// <summary>
    /// Stand-in for NLTK's Punkt <c>sent_tokenize</c> (rouge_score's <c>split_summaries=True</c>): a sentence ends
    /// after a run of <c>. ! ?</c> (and any closing quotes or brackets) that is followed by whitespace or the end of
    /// the text, except after a known abbreviation or a single-letter initial. Newlines are plain whitespace here,
    /// as they are for Punkt.
    /// </summary>
    public static List<string> SplitPunctuation(string text)
    {
        var sentences = new List<string>();
        var start = 0;
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] is not ('.' or '!' or '?'))
            {
                i++;
                continue;
            }

            var punctuationStart = i;
            while (i < text.Length && text[i] is '.' or '!' or '?')
            {
                i++;
            }

            while (i < text.Length && text[i] is '"' or '\'' or ')' or ']' or '}' or '\u201D' or '\u2019')
            {
                i++;
            }

            var atBoundary = i == text.Length || char.IsWhiteSpace(text[i]);
            if (!atBoundary || IsAbbreviation(text, start, punctuationStart, i))
            {
                continue;
            }

            AddTrimmed(sentences, text, start, i);
            start = i;
        }

        AddTrimmed(sentences, text, start, text.Length);
        return sentences;
    }

    private static bool IsAbbreviation(string text, int sentenceStart, int punctuationStart, int end)
    {
        // Only a single period directly after the word can mark an abbreviation.
        if (end - punctuationStart != 1 || text[punctuationStart] != '.')
        {
            return false;
        }

        var wordStart = punctuationStart;
        while (wordStart > sentenceStart && !char.IsWhiteSpace(text[wordStart - 1]))
        {
            wordStart--;
        }

        var word = text.AsSpan(wordStart, punctuationStart - wordStart).TrimStart("\"'([{");
        if (word.Length == 1 && char.IsLetter(word[0]))
        {
            return true;
        }

        return word.Length > 0 && Abbreviations.Contains(word.ToString().ToLowerInvariant());
    }

    private static void AddTrimmed(List<string> sentences, string text, int start, int end)
    {
        var sentence = text.AsSpan(start, end - start).Trim();
        if (sentence.Length > 0)
        {
            sentences.Add(sentence.ToString());
        }
    }
}
