namespace Peft.Evaluation.Rouge;

/// <summary>What <see cref="RougeScorer"/> computes; the settings of rouge_score's <c>RougeScorer</c>.</summary>
public sealed record RougeOptions
{
    /// <summary>
    /// The metrics, by rouge_score's names: <c>rouge1</c>, <c>rouge2</c>, … (<c>rougeN</c> for any positive N;
    /// rouge_score itself accepts only one digit), <c>rougeL</c> (LCS over the whole text) and <c>rougeLsum</c>
    /// (summary-level union LCS over sentences). Default: <c>rouge1</c>, <c>rouge2</c>, <c>rougeL</c>,
    /// <c>rougeLsum</c>, the default of Hugging Face <c>evaluate</c>'s "rouge".
    /// </summary>
    public IReadOnlyList<string> RougeTypes { get; init; } = ["rouge1", "rouge2", "rougeL", "rougeLsum"];

    /// <summary>
    /// Porter-stem tokens longer than three characters (rouge_score's <c>use_stemmer</c>; default false, as in
    /// rouge_score and <c>evaluate</c>).
    /// </summary>
    public bool UseStemmer { get; init; }

    /// <summary>
    /// For <c>rougeLsum</c>: find sentences by their end punctuation instead of taking each line as a sentence
    /// (rouge_score's <c>split_summaries</c>, default false). rouge_score uses NLTK's Punkt model here; this library
    /// uses a rule-based splitter that agrees with it on ordinary prose (see docs/evaluation.md), so with this
    /// option <c>rougeLsum</c> may differ from rouge_score on text with unusual abbreviations.
    /// </summary>
    public bool SplitSummaries { get; init; }
}
