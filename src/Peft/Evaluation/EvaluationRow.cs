using Peft.Evaluation.Rouge;
using Peft.Generation;

namespace Peft.Evaluation;

/// <summary>One evaluated example: what went in, what came out, and its scores.</summary>
public sealed record EvaluationRow
{
    /// <summary>0-based position in the dataset.</summary>
    public required int Index { get; init; }

    /// <summary>1-based line in the dataset file, or 0.</summary>
    public int Line { get; init; }

    /// <summary>The prompt.</summary>
    public required string Prompt { get; init; }

    /// <summary>The generated text.</summary>
    public required string Prediction { get; init; }

    /// <summary>The references.</summary>
    public required IReadOnlyList<string> References { get; init; }

    /// <summary>Metric → the prediction's ROUGE (best reference per metric).</summary>
    public required IReadOnlyDictionary<string, RougeScore> Rouge { get; init; }

    /// <summary>Why generation ended.</summary>
    public StopReason StopReason { get; init; }

    /// <summary>Tokens in the encoded prompt.</summary>
    public int PromptTokens { get; init; }

    /// <summary>Tokens generated (the stop token included).</summary>
    public int GeneratedTokens { get; init; }

    /// <summary>Perplexity of this example's references given its prompt, or null when not computed or nothing was scored.</summary>
    public double? ReferencePerplexity { get; init; }

    /// <summary>Reference tokens scored for <see cref="ReferencePerplexity"/>, or null when not computed.</summary>
    public int? ReferenceTokens { get; init; }
}
