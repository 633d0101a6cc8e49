namespace Peft.Evaluation.Rouge;

/// <summary>
/// Corpus-level ROUGE with a bootstrap confidence interval, as rouge_score's <c>scoring.BootstrapAggregator</c>
/// computes it (and as Hugging Face <c>evaluate</c> reports it: the <see cref="RougeConfidenceInterval.Mid"/>
/// F-measure).
/// </summary>
/// <remarks>
/// For each metric, the N per-pair scores are resampled with replacement N at a time,
/// <see cref="BootstrapOptions.Resamples"/> times; each resample's mean precision, recall and F-measure is kept,
/// and the low, mid and high figures are the (1 − c)/2, 50 % and (1 + c)/2 percentiles of those means (c = the
/// confidence), with NumPy's default linear interpolation between order statistics. Mid is therefore a bootstrap
/// median, close to but not equal to the plain mean of <see cref="RougeAggregate.Mean"/>. Metrics are resampled in
/// the order they were first added, from one generator seeded with <see cref="BootstrapOptions.Seed"/>, so a result
/// is reproducible, and <see cref="Aggregate()"/> gives the same answer each time it is called.
/// Not thread-safe while scores are being added.
/// </remarks>
public sealed class BootstrapAggregator
{
    private readonly Dictionary<string, List<RougeScore>> _scores = new(StringComparer.Ordinal);

    private BootstrapAggregator(BootstrapOptions options) => Options = options;

    /// <summary>The resampling settings.</summary>
    public BootstrapOptions Options { get; }

    /// <summary>The number of pairs added so far (calls to <see cref="Add"/>).</summary>
    public int Count { get; private set; }

    /// <summary>Creates an empty aggregator.</summary>
    /// <param name="options">Resamples, confidence and seed; null means <see cref="BootstrapOptions"/> defaults.</param>
    /// <returns>The aggregator.</returns>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <see cref="BootstrapOptions.Resamples"/> is not positive, or <see cref="BootstrapOptions.ConfidenceInterval"/>
    /// is outside [0, 1].
    /// </exception>
    public static BootstrapAggregator Create(BootstrapOptions? options = null)
    {
        options ??= new BootstrapOptions();
        if (options.Resamples <= 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options), options.Resamples, "BootstrapOptions.Resamples must be positive.");
        }

        if (!(options.ConfidenceInterval >= 0 && options.ConfidenceInterval <= 1))
        {
            throw new ArgumentOutOfRangeException(
                nameof(options), options.ConfidenceInterval, "BootstrapOptions.ConfidenceInterval must be in [0, 1].");
        }

        return new BootstrapAggregator(options);
    }

    /// <summary>Bootstraps a whole list of per-pair scores in one call.</summary>
    /// <param name="scores">The per-pair scores, e.g. from <see cref="RougeScorer.ScoreBatch"/>.</param>
    /// <param name="options">Resamples, confidence and seed; null means defaults.</param>
    /// <returns>The interval per metric.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="scores"/> or an element is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The options are out of range.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="scores"/> is empty.</exception>
    public static IReadOnlyDictionary<string, RougeConfidenceInterval> Aggregate(
        IEnumerable<IReadOnlyDictionary<string, RougeScore>> scores, BootstrapOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(scores);
        var aggregator = Create(options);
        foreach (var pair in scores)
        {
            aggregator.Add(pair);
        }

        return aggregator.Aggregate();
    }

    /// <summary>Adds the scores of one prediction–reference pair (rouge_score's <c>add_scores</c>).</summary>
    /// <param name="scores">Metric name → score, as returned by <see cref="RougeScorer.Score"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="scores"/> is null.</exception>
    public void Add(IReadOnlyDictionary<string, RougeScore> scores)
    {
        ArgumentNullException.ThrowIfNull(scores, nameof(scores));
        foreach (var (name, score) in scores)
        {
            if (!_scores.TryGetValue(name, out var list))
            {
                list = [];
                _scores.Add(name, list);
            }

            list.Add(score);
        }

        Count++;
    }

    /// <summary>Computes the bootstrap interval of every metric added (rouge_score's <c>aggregate</c>).</summary>
    /// <returns>Metric name → low/mid/high, metrics in the order first added.</returns>
    /// <exception cref="InvalidOperationException">No scores have been added.</exception>
    public IReadOnlyDictionary<string, RougeConfidenceInterval> Aggregate()
    {
        if (_scores.Count == 0)
        {
            throw new InvalidOperationException("Cannot bootstrap ROUGE over zero pairs: call Add first.");
        }

        var random = new NumpyLegacyRandom(Options.Seed);
        var delta = (1 - Options.ConfidenceInterval) / 2;
        double[] percentiles = [100 * delta, 100 * 0.5, 100 * (1 - delta)];
        var result = new Dictionary<string, RougeConfidenceInterval>(_scores.Count, StringComparer.Ordinal);
        foreach (var (name, scores) in _scores)
        {
            var means = Resample(scores, Options.Resamples, random);
            var bounds = new RougeScore[3];
            for (var b = 0; b < 3; b++)
            {
                bounds[b] = new RougeScore(
                    Percentile(means[0], percentiles[b]),
                    Percentile(means[1], percentiles[b]),
                    Percentile(means[2], percentiles[b]));
            }

            result[name] = new RougeConfidenceInterval(bounds[0], bounds[1], bounds[2]);
        }

        return result;
    }

    /// <summary>The means of P, R and F over each resample; each array is sorted ascending on return.</summary>
    private static double[][] Resample(List<RougeScore> scores, int resamples, NumpyLegacyRandom random)
    {
        var n = scores.Count;
        double[][] means = [new double[resamples], new double[resamples], new double[resamples]];
        for (var s = 0; s < resamples; s++)
        {
            double precision = 0, recall = 0, fmeasure = 0;
            for (var k = 0; k < n; k++)
            {
                var score = scores[(int)random.NextBounded((uint)(n - 1))];
                precision += score.Precision;
                recall += score.Recall;
                fmeasure += score.FMeasure;
            }

            means[0][s] = precision / n;
            means[1][s] = recall / n;
            means[2][s] = fmeasure / n;
        }

        foreach (var column in means)
        {
            Array.Sort(column);
        }

        return means;
    }

    /// <summary>
    /// <c>np.percentile(sorted, q)</c> with NumPy's default method "linear": position (n − 1)·q/100 between the
    /// order statistics below and above, interpolated as NumPy's <c>_lerp</c> does (from the upper end when the
    /// fraction is at least one half).
    /// </summary>
    internal static double Percentile(double[] sorted, double q)
    {
        var position = (sorted.Length - 1) * (q / 100);
        if (position >= sorted.Length - 1)
        {
            return sorted[^1];
        }

        if (position <= 0)
        {
            return sorted[0];
        }

        var below = Math.Floor(position);
        var fraction = position - below;
        var lower = sorted[(int)below];
        var upper = sorted[(int)below + 1];
        var difference = upper - lower;
        return fraction >= 0.5 ? upper - difference * (1 - fraction) : lower + difference * fraction;
    }
}
