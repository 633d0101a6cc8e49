namespace Peft.Evaluation;

/// <summary>A corpus perplexity as a report records it.</summary>
public sealed record PerplexitySummary
{
    /// <summary><c>exp(MeanNll)</c>.</summary>
    public required double Perplexity { get; init; }

    /// <summary>Mean negative log-likelihood per scored token (natural log).</summary>
    public required double MeanNll { get; init; }

    /// <summary>Tokens scored.</summary>
    public required long Tokens { get; init; }

    /// <summary>Seconds spent in the forward passes.</summary>
    public double Seconds { get; init; }

    /// <summary>The summary of a <see cref="PerplexityResult"/>.</summary>
    /// <param name="result">The result.</param>
    /// <returns>Its corpus figures.</returns>
    public static PerplexitySummary From(PerplexityResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new PerplexitySummary
        {
            Perplexity = result.Perplexity,
            MeanNll = result.MeanNll,
            Tokens = result.TokenCount,
            Seconds = result.Elapsed.TotalSeconds,
        };
    }
}
