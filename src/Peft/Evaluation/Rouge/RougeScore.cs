namespace Peft.Evaluation.Rouge;

/// <summary>
/// Precision, recall and F-measure of one ROUGE metric (rouge_score's <c>Score</c> tuple), each in [0, 1].
/// </summary>
/// <param name="Precision">Matches divided by the size of the prediction (n-grams, or tokens for ROUGE-L).</param>
/// <param name="Recall">Matches divided by the size of the reference.</param>
/// <param name="FMeasure">
/// <c>2·P·R / (P + R)</c>, or 0 when both are 0. This is the figure usually reported as "ROUGE".
/// </param>
public readonly record struct RougeScore(double Precision, double Recall, double FMeasure)
{
    /// <summary>All three values 0 (what an empty prediction or reference scores).</summary>
    public static RougeScore Zero => default;

    /// <summary>Builds a score from precision and recall, with rouge_score's F-measure.</summary>
    /// <param name="precision">The precision.</param>
    /// <param name="recall">The recall.</param>
    /// <returns>The score with <c>FMeasure = 2·P·R / (P + R)</c>, or 0 when <c>P + R</c> is 0.</returns>
    public static RougeScore FromPrecisionRecall(double precision, double recall) =>
        new(precision, recall, precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0);
}
