namespace Peft.Evaluation.Rouge;

/// <summary>Settings of <see cref="BootstrapAggregator"/>, named after rouge_score's <c>BootstrapAggregator</c>.</summary>
public sealed record BootstrapOptions
{
    /// <summary>Number of bootstrap resamples (rouge_score's <c>n_samples</c>); default 1,000.</summary>
    public int Resamples { get; init; } = 1000;

    /// <summary>Width of the interval as a fraction in [0, 1] (rouge_score's <c>confidence_interval</c>); default 0.95.</summary>
    public double ConfidenceInterval { get; init; } = 0.95;

    /// <summary>
    /// Seed of the resampling generator. The draws are those of NumPy's legacy generator after
    /// <c>np.random.seed(Seed)</c>, so the result equals rouge_score's <c>aggregate()</c> run right after that call
    /// with the same scores added in the same order. Default 0.
    /// </summary>
    public uint Seed { get; init; }
}
