namespace Peft.Evaluation;

/// <summary>Field names read from each record of an evaluation file, for datasets whose fields are named differently.</summary>
public sealed record EvaluationColumns
{
    /// <summary>The prompt given to the model (a string). Default <c>prompt</c>.</summary>
    public string Prompt { get; init; } = "prompt";

    /// <summary>One reference (a string, or a list of strings). Default <c>reference</c>.</summary>
    public string Reference { get; init; } = "reference";

    /// <summary>Several references (a list of strings, or one string); read before <see cref="Reference"/>. Default <c>references</c>.</summary>
    public string References { get; init; } = "references";

    /// <summary>An existing prediction (for scoring predictions made elsewhere). Default <c>prediction</c>.</summary>
    public string Prediction { get; init; } = "prediction";

    /// <summary>Plain text (for perplexity of texts). Default <c>text</c>.</summary>
    public string Text { get; init; } = "text";
}
