using Peft.Evaluation.Rouge;

namespace Peft.Evaluation;

/// <summary>Settings of <see cref="RougeReport"/>.</summary>
public sealed record RougeReportOptions
{
    /// <summary>Metrics and tokenizer settings; default rouge1, rouge2, rougeL, rougeLsum without stemming.</summary>
    public RougeOptions Rouge { get; init; } = new();

    /// <summary>Also compute rouge_score's bootstrap interval with these settings; null (default) for the mean only.</summary>
    public BootstrapOptions? Bootstrap { get; init; }

    /// <summary>Field names of JSON Lines input (<c>prediction</c>, <c>reference</c>/<c>references</c>).</summary>
    public EvaluationColumns Columns { get; init; } = new();
}
