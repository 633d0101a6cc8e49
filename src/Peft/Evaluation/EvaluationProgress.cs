namespace Peft.Evaluation;

/// <summary>Progress of a long evaluation step, for progress bars.</summary>
/// <param name="Stage">What is running: <c>"generation"</c> (prompts done) or <c>"perplexity"</c> (windows done).</param>
/// <param name="Completed">Units finished so far.</param>
/// <param name="Total">Units in the stage.</param>
public sealed record EvaluationProgress(string Stage, int Completed, int Total);
