namespace Peft.Evaluation;

/// <summary>
/// Corpus perplexity, token-weighted across texts: <c>exp(Σ NLL / Σ scored tokens)</c>, with the per-text figures
/// behind it.
/// </summary>
public sealed record PerplexityResult
{
    /// <summary>Sum of the negative log-likelihoods of every scored token of every text (natural log).</summary>
    public required double TotalNll { get; init; }

    /// <summary>Tokens scored over all texts.</summary>
    public required long TokenCount { get; init; }

    /// <summary>Forward windows run (texts longer than the window need several).</summary>
    public required int WindowCount { get; init; }

    /// <summary>The window length used (tokens).</summary>
    public required int MaxLength { get; init; }

    /// <summary>The stride used (tokens).</summary>
    public required int Stride { get; init; }

    /// <summary>
    /// The figure the Hugging Face guide's loop prints for the same windows: each window's mean loss weighted by the
    /// guide's <c>num_loss_tokens</c> (its valid labels minus one). That weight is one less than the tokens actually
    /// scored in every overlapping window after the first, so this differs slightly from <see cref="Perplexity"/>
    /// when the stride is smaller than the window; the two are equal for texts that fit one window and for
    /// stride = window. Null for conditional scoring, which the guide does not cover.
    /// </summary>
    public double? GuidePerplexity { get; init; }

    /// <summary>Wall-clock time of the forward passes and scoring (tokenization excluded).</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Tokens fed to the model, context included (≥ <see cref="TokenCount"/> when windows overlap).</summary>
    public long ForwardTokens { get; init; }

    /// <summary>Per text, in input order.</summary>
    public required IReadOnlyList<SequencePerplexity> Examples { get; init; }

    /// <summary>Mean negative log-likelihood per scored token over the corpus; NaN when nothing was scored.</summary>
    public double MeanNll => TokenCount == 0 ? double.NaN : TotalNll / TokenCount;

    /// <summary><c>exp(MeanNll)</c>: the corpus perplexity; NaN when nothing was scored.</summary>
    public double Perplexity => Math.Exp(MeanNll);
}
