using Peft.Evaluation.Rouge;

namespace Peft.Evaluation;

/// <summary>The corpus figures of an <see cref="EvaluationReport"/>.</summary>
public sealed record EvaluationMetrics
{
    /// <summary>Examples evaluated.</summary>
    public required int Examples { get; init; }

    /// <summary>Metric → mean precision, recall and F-measure over the examples (each in [0, 1]).</summary>
    public required IReadOnlyDictionary<string, RougeScore> Rouge { get; init; }

    /// <summary>Metric → rouge_score's bootstrap low/mid/high, or null when not asked for.</summary>
    public IReadOnlyDictionary<string, RougeConfidenceInterval>? RougeInterval { get; init; }

    /// <summary>Perplexity of the references given the prompts, or null when not asked for.</summary>
    public PerplexitySummary? ReferencePerplexity { get; init; }

    /// <summary>Tokens generated over all examples (stop tokens included).</summary>
    public long GeneratedTokens { get; init; }

    /// <summary>Seconds spent generating.</summary>
    public double GenerationSeconds { get; init; }

    /// <summary>How many sequences ended for each reason (<c>end_of_sequence</c>, <c>stop_string</c>, <c>length</c>, <c>cancelled</c>).</summary>
    public IReadOnlyDictionary<string, int> StopReasons { get; init; } = new Dictionary<string, int>();
}
