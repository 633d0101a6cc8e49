namespace Peft.Evaluation.Rouge;

/// <summary>
/// ROUGE scores identical to Google's <c>rouge_score</c> package (<c>rouge_scorer.RougeScorer</c>): ROUGE-N,
/// ROUGE-L and ROUGE-Lsum with its default tokenizer and, optionally, NLTK's Porter stemmer.
/// </summary>
/// <remarks>
/// <para>
/// Argument order: this API takes the prediction first, <c>Score(prediction, reference)</c>; rouge_score's is
/// <c>score(target, prediction)</c>. Precision is always measured against the prediction and recall against the
/// reference, as in rouge_score.
/// </para>
/// <para>
/// rougeN: P = matching n-grams / prediction n-grams, R = matching / reference n-grams, where matches are
/// Σ min(count in reference, count in prediction). rougeL: the longest common subsequence of the two token lists,
/// P = LCS / |prediction|, R = LCS / |reference|. rougeLsum: the texts are cut into sentences (one per line, or by
/// punctuation with <see cref="RougeOptions.SplitSummaries"/>) and scored with the summary-level union LCS.
/// F = 2·P·R / (P + R), 0 when P + R = 0. An empty prediction or reference scores 0 everywhere.
/// </para>
/// <para>Instances are immutable and thread-safe.</para>
/// </remarks>
public sealed class RougeScorer
{
    private readonly RougeMetric[] _metrics;
    private readonly bool _needsWholeText;

    private RougeScorer(RougeOptions options, RougeMetric[] metrics)
    {
        Options = options;
        _metrics = metrics;
        Tokenizer = RougeTokenizer.Create(options.UseStemmer);
        _needsWholeText = metrics.Any(m => m.Kind != RougeMetricKind.SummaryLcs);
    }

    /// <summary>The options this scorer was created with.</summary>
    public RougeOptions Options { get; }

    /// <summary>The tokenizer applied to both texts.</summary>
    public RougeTokenizer Tokenizer { get; }

    /// <summary>The metric names, in the order results are returned.</summary>
    public IReadOnlyList<string> RougeTypes => Options.RougeTypes;

    /// <summary>Creates a scorer.</summary>
    /// <param name="options">The metrics and tokenizer settings; null means <see cref="RougeOptions"/> defaults.</param>
    /// <returns>The scorer.</returns>
    /// <exception cref="ArgumentException">
    /// A metric name is not <c>rougeN</c> (N ≥ 1), <c>rougeL</c> or <c>rougeLsum</c>, is repeated, or there is none.
    /// </exception>
    public static RougeScorer Create(RougeOptions? options = null)
    {
        options ??= new RougeOptions();
        if (options.RougeTypes is null || options.RougeTypes.Count == 0)
        {
            throw new ArgumentException("RougeOptions.RougeTypes must name at least one metric, found none.", nameof(options));
        }

        var metrics = new RougeMetric[options.RougeTypes.Count];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < metrics.Length; i++)
        {
            var name = options.RougeTypes[i] ?? throw new ArgumentException(
                $"RougeOptions.RougeTypes[{i}] is null; expected a metric name such as 'rouge1'.", nameof(options));
            if (!seen.Add(name))
            {
                throw new ArgumentException($"RougeOptions.RougeTypes names '{name}' twice (at index {i}).", nameof(options));
            }

            metrics[i] = RougeMetric.Parse(name, nameof(options));
        }

        return new RougeScorer(options, metrics);
    }

    /// <summary>Scores one prediction against one reference.</summary>
    /// <param name="prediction">The generated text.</param>
    /// <param name="reference">The reference (target) text.</param>
    /// <returns>One <see cref="RougeScore"/> per metric name, in <see cref="RougeTypes"/> order.</returns>
    /// <exception cref="ArgumentNullException">A text is null.</exception>
    public IReadOnlyDictionary<string, RougeScore> Score(string prediction, string reference)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(reference);

        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        int[]? predictionIds = null;
        int[]? referenceIds = null;
        if (_needsWholeText)
        {
            predictionIds = Encode(prediction, vocabulary);
            referenceIds = Encode(reference, vocabulary);
        }

        List<int[]>? predictionSentences = null;
        List<int[]>? referenceSentences = null;
        var result = new Dictionary<string, RougeScore>(_metrics.Length, StringComparer.Ordinal);
        foreach (var metric in _metrics)
        {
            switch (metric.Kind)
            {
                case RougeMetricKind.NGram:
                    result[metric.Name] = RougeMath.NGram(referenceIds!, predictionIds!, metric.N, vocabulary.Count);
                    break;
                case RougeMetricKind.Lcs:
                    result[metric.Name] = ScoreLcs(referenceIds!, predictionIds!);
                    break;
                default:
                    predictionSentences ??= EncodeSentences(prediction, vocabulary);
                    referenceSentences ??= EncodeSentences(reference, vocabulary);
                    result[metric.Name] = RougeMath.SummaryLevelLcs(referenceSentences, predictionSentences, vocabulary.Count);
                    break;
            }
        }

        return result;
    }

    /// <summary>
    /// Scores one prediction against several references and keeps, for each metric separately, the score of the
    /// reference with the highest F-measure (the first such reference on a tie), as rouge_score's
    /// <c>score_multi</c> does. The metrics may therefore come from different references.
    /// </summary>
    /// <param name="prediction">The generated text.</param>
    /// <param name="references">One or more reference texts.</param>
    /// <returns>One <see cref="RougeScore"/> per metric name, in <see cref="RougeTypes"/> order.</returns>
    /// <exception cref="ArgumentNullException">An argument or a reference is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="references"/> is empty.</exception>
    public IReadOnlyDictionary<string, RougeScore> ScoreMulti(string prediction, IEnumerable<string> references)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(references);
        Dictionary<string, RougeScore>? best = null;
        var index = 0;
        foreach (var reference in references)
        {
            if (reference is null)
            {
                throw new ArgumentNullException(nameof(references), $"Reference at index {index} is null.");
            }

            var scores = Score(prediction, reference);
            if (best is null)
            {
                best = new Dictionary<string, RougeScore>(scores, StringComparer.Ordinal);
            }
            else
            {
                foreach (var metric in _metrics)
                {
                    if (scores[metric.Name].FMeasure > best[metric.Name].FMeasure)
                    {
                        best[metric.Name] = scores[metric.Name];
                    }
                }
            }

            index++;
        }

        return best ?? throw new ArgumentException("ScoreMulti needs at least one reference, found none.", nameof(references));
    }

    /// <summary>Scores pairs: <c>predictions[i]</c> against <c>references[i]</c>.</summary>
    /// <param name="predictions">The generated texts.</param>
    /// <param name="references">The reference texts, one per prediction.</param>
    /// <returns>The scores of each pair, in order (feed them to <see cref="RougeAggregate.Mean"/> or a
    /// <see cref="BootstrapAggregator"/>).</returns>
    /// <exception cref="ArgumentNullException">A list or a text in it is null.</exception>
    /// <exception cref="ArgumentException">The lists differ in length.</exception>
    public IReadOnlyList<IReadOnlyDictionary<string, RougeScore>> ScoreBatch(
        IReadOnlyList<string> predictions, IReadOnlyList<string> references)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(references);
        if (predictions.Count != references.Count)
        {
            throw new ArgumentException(
                $"Expected one reference per prediction, found {predictions.Count} predictions and {references.Count} references.",
                nameof(references));
        }

        var results = new IReadOnlyDictionary<string, RougeScore>[predictions.Count];
        for (var i = 0; i < results.Length; i++)
        {
            var prediction = predictions[i] ?? throw new ArgumentNullException(nameof(predictions), $"Prediction at index {i} is null.");
            var reference = references[i] ?? throw new ArgumentNullException(nameof(references), $"Reference at index {i} is null.");
            results[i] = Score(prediction, reference);
        }

        return results;
    }

    private static RougeScore ScoreLcs(int[] reference, int[] prediction)
    {
        if (reference.Length == 0 || prediction.Length == 0)
        {
            return RougeScore.Zero;
        }

        double lcs = RougeMath.LcsLength(reference, prediction);
        return RougeScore.FromPrecisionRecall(lcs / prediction.Length, lcs / reference.Length);
    }

    private int[] Encode(string text, Dictionary<string, int> vocabulary)
    {
        var tokens = new List<string>();
        Tokenizer.Tokenize(text, tokens);
        return Intern(tokens, vocabulary);
    }

    private List<int[]> EncodeSentences(string text, Dictionary<string, int> vocabulary)
    {
        var sentences = Options.SplitSummaries ? SentenceSplitter.SplitPunctuation(text) : SentenceSplitter.SplitLines(text);
        var encoded = new List<int[]>(sentences.Count);
        var tokens = new List<string>();
        foreach (var sentence in sentences)
        {
            tokens.Clear();
            Tokenizer.Tokenize(sentence, tokens);
            encoded.Add(Intern(tokens, vocabulary));
        }

        return encoded;
    }

    private static int[] Intern(List<string> tokens, Dictionary<string, int> vocabulary)
    {
        var ids = new int[tokens.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            if (!vocabulary.TryGetValue(tokens[i], out var id))
            {
                id = vocabulary.Count;
                vocabulary.Add(tokens[i], id);
            }

            ids[i] = id;
        }

        return ids;
    }
}
