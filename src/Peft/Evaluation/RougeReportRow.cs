using Peft.Evaluation.Rouge;

namespace Peft.Evaluation;

/// <summary>One scored prediction of a <see cref="RougeReport"/>.</summary>
public sealed record RougeReportRow
{
    /// <summary>0-based position in the input.</summary>
    public required int Index { get; init; }

    /// <summary>1-based line in the input file (of the prediction, for two text files), or 0.</summary>
    public int Line { get; init; }

    /// <summary>The predicted text.</summary>
    public required string Prediction { get; init; }

    /// <summary>The references it was scored against (the best per metric counts, as rouge_score's <c>score_multi</c>).</summary>
    public required IReadOnlyList<string> References { get; init; }

    /// <summary>Metric name → precision, recall and F-measure.</summary>
    public required IReadOnlyDictionary<string, RougeScore> Rouge { get; init; }
}
