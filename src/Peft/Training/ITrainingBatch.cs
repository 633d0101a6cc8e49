namespace Peft.Training;

/// <summary>A micro-batch on its way through the training loop.</summary>
public interface ITrainingBatch : IDisposable
{
    /// <summary>Non-padding tokens the batch feeds through the model (for tokens/s).</summary>
    long TokenCount { get; }

    /// <summary>
    /// The weight of the batch's loss in an optimizer step: label tokens for language modelling, pairs for
    /// preference objectives. Losses are summed and divided by the total weight of the accumulated batches, so
    /// k micro-batches of b examples give the same update as one batch of k·b.
    /// </summary>
    double Weight { get; }
}
