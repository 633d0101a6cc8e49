namespace Peft.Training;

/// <summary>A loss the shared training loop optimises (supervised fine-tuning, DPO, …).</summary>
/// <typeparam name="TBatch">The batch type.</typeparam>
public interface ITrainingObjective<in TBatch> where TBatch : ITrainingBatch
{
    /// <summary>Computes the summed loss of a micro-batch; gradients are recorded when the model is training.</summary>
    /// <param name="batch">The micro-batch.</param>
    /// <param name="training">True in the training step, false during evaluation (no gradient).</param>
    ObjectiveResult Compute(TBatch batch, bool training);

    /// <summary>Extra evaluation metrics derived from the averaged evaluation loss and metrics (e.g. perplexity).</summary>
    /// <param name="evalLoss">Mean evaluation loss.</param>
    /// <param name="evalMetrics">Mean evaluation metrics.</param>
    IReadOnlyDictionary<string, double> EvalSummary(double evalLoss, IReadOnlyDictionary<string, double> evalMetrics);
}
