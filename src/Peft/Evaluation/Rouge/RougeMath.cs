namespace Peft.Evaluation.Rouge;

/// <summary>
/// The counting cores of ROUGE over interned token ids (ids are dense, 0 … vocabularySize − 1).
/// Each mirrors the matching function of rouge_score's <c>rouge_scorer.py</c>.
/// </summary>
internal static class RougeMath
{
    /// <summary>
    /// ROUGE-N: overlap = Σ over distinct n-grams of min(count in reference, count in prediction);
    /// P = overlap / max(#prediction n-grams, 1), R = overlap / max(#reference n-grams, 1).
    /// </summary>
    public static RougeScore NGram(int[] reference, int[] prediction, int n, int vocabularySize)
    {
        var referenceCount = Math.Max(reference.Length - n + 1, 0);
        var predictionCount = Math.Max(prediction.Length - n + 1, 0);
        var overlap = 0;
        if (referenceCount > 0 && predictionCount > 0)
        {
            var (referenceIds, predictionIds, distinct) = NGramIds(reference, prediction, n, vocabularySize);
            var counts = new int[distinct];
            foreach (var id in referenceIds)
            {
                counts[id]++;
            }

            // Each prediction n-gram matches while the reference still has an unmatched copy: Σ min(counts).
            foreach (var id in predictionIds)
            {
                if (counts[id] > 0)
                {
                    counts[id]--;
                    overlap++;
                }
            }
        }

        return RougeScore.FromPrecisionRecall(
            (double)overlap / Math.Max(predictionCount, 1),
            (double)overlap / Math.Max(referenceCount, 1));
    }

    /// <summary>
    /// Gives every n-gram of both sequences a dense id: an n-gram's id interns the pair
    /// (id of its first n − 1 tokens, its last token), level by level, so equal n-grams get equal ids exactly.
    /// </summary>
    private static (int[] Reference, int[] Prediction, int Distinct) NGramIds(
        int[] reference, int[] prediction, int n, int vocabularySize)
    {
        var a = reference;
        var b = prediction;
        var distinct = vocabularySize;
        for (var k = 2; k <= n; k++)
        {
            var pairs = new Dictionary<long, int>();
            a = Extend(a, reference, k, pairs);
            b = Extend(b, prediction, k, pairs);
            distinct = pairs.Count;
        }

        return (a, b, distinct);

        static int[] Extend(int[] previous, int[] tokens, int k, Dictionary<long, int> pairs)
        {
            var ids = new int[tokens.Length - k + 1];
            for (var i = 0; i < ids.Length; i++)
            {
                var key = ((long)previous[i] << 32) | (uint)tokens[i + k - 1];
                if (!pairs.TryGetValue(key, out var id))
                {
                    id = pairs.Count;
                    pairs.Add(key, id);
                }

                ids[i] = id;
            }

            return ids;
        }
    }

    /// <summary>Length of the longest common subsequence, O(|a|·|b|) time with two rows of memory.</summary>
    public static int LcsLength(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        if (a.Length == 0 || b.Length == 0)
        {
            return 0;
        }

        if (b.Length > a.Length)
        {
            var swap = a;
            a = b;
            b = swap;
        }

        var rowLength = b.Length + 1;
        Span<int> rows = rowLength <= 1024 ? stackalloc int[2 * rowLength] : new int[2 * rowLength];
        var previous = rows[..rowLength];
        var current = rows[rowLength..];
        previous.Clear();
        current[0] = 0;
        foreach (var x in a)
        {
            for (var j = 1; j < rowLength; j++)
            {
                current[j] = x == b[j - 1]
                    ? previous[j - 1] + 1
                    : Math.Max(previous[j], current[j - 1]);
            }

            var swap = previous;
            previous = current;
            current = swap;
        }

        return previous[b.Length];
    }

    /// <summary>
    /// The reference positions of one LCS, read back from the full table exactly as rouge_score's
    /// <c>_backtrack_norec</c> does: on a match take it; else step left when the left cell is strictly larger
    /// than the upper one, otherwise step up. Positions are appended in increasing order.
    /// </summary>
    public static void LcsIndices(ReadOnlySpan<int> reference, ReadOnlySpan<int> candidate, List<int> into)
    {
        if (reference.Length == 0 || candidate.Length == 0)
        {
            return;
        }

        var columns = candidate.Length + 1;
        var table = new int[(reference.Length + 1) * columns];
        for (var i = 1; i <= reference.Length; i++)
        {
            var row = i * columns;
            var up = row - columns;
            for (var j = 1; j < columns; j++)
            {
                table[row + j] = reference[i - 1] == candidate[j - 1]
                    ? table[up + j - 1] + 1
                    : Math.Max(table[up + j], table[row + j - 1]);
            }
        }

        var start = into.Count;
        var r = reference.Length;
        var c = candidate.Length;
        while (r > 0 && c > 0)
        {
            if (reference[r - 1] == candidate[c - 1])
            {
                into.Add(r - 1);
                r--;
                c--;
            }
            else if (table[r * columns + c - 1] > table[(r - 1) * columns + c])
            {
                c--;
            }
            else
            {
                r--;
            }
        }

        into.Reverse(start, into.Count - start);
    }

    /// <summary>
    /// Summary-level LCS (ROUGE-Lsum, section 3.2 of Lin 2004, as ROUGE-1.5.5 and rouge_score compute it): for each
    /// reference sentence take the union of its LCS positions against every candidate sentence; each token of the
    /// union is a hit while both texts still have an unused copy of it. P = hits / |candidate|,
    /// R = hits / |reference| (token totals over all sentences).
    /// </summary>
    public static RougeScore SummaryLevelLcs(List<int[]> referenceSentences, List<int[]> candidateSentences, int vocabularySize)
    {
        if (referenceSentences.Count == 0 || candidateSentences.Count == 0)
        {
            return RougeScore.Zero;
        }

        var referenceTokens = 0;
        var candidateTokens = 0;
        var referenceLeft = new int[vocabularySize];
        var candidateLeft = new int[vocabularySize];
        foreach (var sentence in referenceSentences)
        {
            referenceTokens += sentence.Length;
            foreach (var id in sentence)
            {
                referenceLeft[id]++;
            }
        }

        foreach (var sentence in candidateSentences)
        {
            candidateTokens += sentence.Length;
            foreach (var id in sentence)
            {
                candidateLeft[id]++;
            }
        }

        if (referenceTokens == 0 || candidateTokens == 0)
        {
            return RougeScore.Zero;
        }

        var hits = 0;
        var positions = new List<int>();
        var inUnion = new bool[referenceSentences.Max(s => s.Length)];
        foreach (var reference in referenceSentences)
        {
            positions.Clear();
            foreach (var candidate in candidateSentences)
            {
                LcsIndices(reference, candidate, positions);
            }

            Array.Clear(inUnion);
            foreach (var position in positions)
            {
                inUnion[position] = true;
            }

            // The union in increasing position order, as rouge_score's sorted(set().union(...)).
            for (var i = 0; i < reference.Length; i++)
            {
                if (!inUnion[i])
                {
                    continue;
                }

                var id = reference[i];
                if (candidateLeft[id] > 0 && referenceLeft[id] > 0)
                {
                    hits++;
                    candidateLeft[id]--;
                    referenceLeft[id]--;
                }
            }
        }

        return RougeScore.FromPrecisionRecall((double)hits / candidateTokens, (double)hits / referenceTokens);
    }
}
