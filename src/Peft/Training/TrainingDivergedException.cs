namespace Peft.Training;

/// <summary>
/// Thrown when the loss or the gradient norm becomes NaN or infinite. Training stops before the optimizer step,
/// so no checkpoint with broken weights is written.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="step">The optimizer step (1-based) that failed.</param>
    /// <param name="epoch">The epoch of the offending micro-batch.</param>
    /// <param name="batchIndex">The micro-batch index within the epoch.</param>
    /// <param name="what">What became non-finite, e.g. "loss = NaN".</param>
    public TrainingDivergedException(long step, int epoch, int batchIndex, string what)
        : base($"Training diverged at step {step} (epoch {epoch}, batch {batchIndex}): {what}. Lower the learning rate, "
               + "check the data of that batch, or enable gradient clipping (MaxGradNorm); no checkpoint was written for this step.")
    {
        Step = step;
        Epoch = epoch;
        BatchIndex = batchIndex;
    }

    /// <summary>The optimizer step that failed.</summary>
    public long Step { get; }

    /// <summary>The epoch of the offending micro-batch.</summary>
    public int Epoch { get; }

    /// <summary>The micro-batch index within the epoch.</summary>
    public int BatchIndex { get; }
}
