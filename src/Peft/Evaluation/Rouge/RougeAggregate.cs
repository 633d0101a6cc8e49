namespace Peft.Evaluation.Rouge;

/// <summary>Corpus-level ROUGE by plain averaging.</summary>
public static class RougeAggregate
{
    /// <summary>
    /// The mean of precision, recall and F-measure over all pairs, metric by metric. Each is averaged on its own,
    /// so the mean F-measure is not the F-measure of the mean precision and recall; this is the figure papers and
    /// rouge_score users usually report as the corpus score (multiply by 100 for percent).
    /// </summary>
    /// <param name="scores">The per-pair scores, e.g. from <see cref="RougeScorer.ScoreBatch"/>.</param>
    /// <returns>The mean score per metric, metrics in the order of the first pair.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="scores"/> or an element is null.</exception>
    /// <exception cref="ArgumentException">There are no pairs, or the pairs do not all have the same metrics.</exception>
    public static IReadOnlyDictionary<string, RougeScore> Mean(IEnumerable<IReadOnlyDictionary<string, RougeScore>> scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        string[]? names = null;
        double[] sums = [];
        var count = 0;
        foreach (var pair in scores)
        {
            if (pair is null)
            {
                throw new ArgumentNullException(nameof(scores), $"The scores at index {count} are null.");
            }

            if (names is null)
            {
                names = pair.Keys.ToArray();
                sums = new double[names.Length * 3];
            }
            else if (pair.Count != names.Length)
            {
                throw new ArgumentException(
                    $"Expected every pair to have the metrics [{string.Join(", ", names)}], found " +
                    $"[{string.Join(", ", pair.Keys)}] at index {count}.",
                    nameof(scores));
            }

            for (var m = 0; m < names.Length; m++)
            {
                if (!pair.TryGetValue(names[m], out var score))
                {
                    throw new ArgumentException(
                        $"Expected metric '{names[m]}' in every pair, but the scores at index {count} lack it.", nameof(scores));
                }

                sums[3 * m] += score.Precision;
                sums[3 * m + 1] += score.Recall;
                sums[3 * m + 2] += score.FMeasure;
            }

            count++;
        }

        if (names is null)
        {
            throw new ArgumentException("Cannot average ROUGE over zero pairs.", nameof(scores));
        }

        var result = new Dictionary<string, RougeScore>(names.Length, StringComparer.Ordinal);
        for (var m = 0; m < names.Length; m++)
        {
            result[names[m]] = new RougeScore(sums[3 * m] / count, sums[3 * m + 1] / count, sums[3 * m + 2] / count);
        }

        return result;
    }
}
