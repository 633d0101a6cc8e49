namespace Peft.Evaluation;

/// <summary>One prompt with its reference answers.</summary>
/// <param name="Prompt">The text given to the model.</param>
/// <param name="References">One or more references; ROUGE keeps, per metric, the best-scoring one.</param>
/// <param name="Line">1-based line of the record in its file, or 0 when it did not come from a file.</param>
public sealed record EvaluationExample(string Prompt, IReadOnlyList<string> References, int Line = 0);
