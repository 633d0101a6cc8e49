namespace Peft.Examples;

/// <summary>A question with a good answer and a wrong one (for preference tuning).</summary>
public sealed record QaPair(string Question, string Answer, string WrongAnswer);
