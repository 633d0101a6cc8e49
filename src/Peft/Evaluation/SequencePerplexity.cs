namespace Peft.Evaluation;

/// <summary>The perplexity of one text (or of one continuation given its prompt).</summary>
/// <param name="Index">Position of the text in the input.</param>
/// <param name="TokenCount">Tokens scored (predicted from context); 0 when the text is too short to score any.</param>
/// <param name="TotalNll">Sum of the scored tokens' negative log-likelihoods (natural log).</param>
/// <param name="WindowCount">Forward windows the text needed (1 for a text that fits the window; 0 when nothing is scored).</param>
/// <param name="TokenNlls">Each scored token's negative log-likelihood in text order, when asked for with <see cref="PerplexityOptions.KeepTokenNlls"/>.</param>
public sealed record SequencePerplexity(int Index, int TokenCount, double TotalNll, int WindowCount, IReadOnlyList<double>? TokenNlls = null)
{
    /// <summary>Mean negative log-likelihood per scored token; NaN when no token was scored.</summary>
    public double MeanNll => TokenCount == 0 ? double.NaN : TotalNll / TokenCount;

    /// <summary><c>exp(MeanNll)</c>; NaN when no token was scored.</summary>
    public double Perplexity => Math.Exp(MeanNll);
}
