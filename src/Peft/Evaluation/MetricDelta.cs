namespace Peft.Evaluation;

/// <summary>One metric before and after (e.g. base model vs fine-tuned).</summary>
/// <param name="Metric">The metric's name as shown: <c>rouge1</c>, <c>rougeL</c>, … (F1 ×100) or <c>perplexity</c>.</param>
/// <param name="Before">The value in the first report.</param>
/// <param name="After">The value in the second report.</param>
/// <param name="HigherIsBetter">True for ROUGE, false for perplexity.</param>
public sealed record MetricDelta(string Metric, double Before, double After, bool HigherIsBetter)
{
    /// <summary><c>After − Before</c>.</summary>
    public double Delta => After - Before;

    /// <summary><c>(After − Before) / Before</c>; NaN when <see cref="Before"/> is 0.</summary>
    public double RelativeDelta => Before == 0 ? double.NaN : (After - Before) / Before;

    /// <summary>Whether the change is an improvement (a higher ROUGE, a lower perplexity); false when unchanged.</summary>
    public bool Improved => HigherIsBetter ? After > Before : After < Before;
}
