namespace Peft.Evaluation.Rouge;

/// <summary>
/// A bootstrap confidence interval of one metric (rouge_score's <c>AggregateScore</c>): the low, mid and high
/// percentiles of the resampled corpus means, taken separately for precision, recall and F-measure.
/// </summary>
/// <param name="Low">The lower percentile, (1 − confidence) / 2 (2.5 % by default).</param>
/// <param name="Mid">The median of the resampled means (50 %): what Hugging Face <c>evaluate</c> reports.</param>
/// <param name="High">The upper percentile, (1 + confidence) / 2 (97.5 % by default).</param>
public sealed record RougeConfidenceInterval(RougeScore Low, RougeScore Mid, RougeScore High);
