namespace Peft.Training;

/// <summary>Deterministic access to training and evaluation batches.</summary>
/// <typeparam name="TBatch">The batch type the objective consumes.</typeparam>
public interface ITrainingData<out TBatch> where TBatch : ITrainingBatch
{
    /// <summary>Micro-batches in one epoch of training data.</summary>
    int BatchesPerEpoch { get; }

    /// <summary>Training examples.</summary>
    int TrainExamples { get; }

    /// <summary>Evaluation examples (0 when there is no evaluation set).</summary>
    int EvalExamples { get; }

    /// <summary>
    /// The <paramref name="index"/>-th micro-batch of <paramref name="epoch"/>; the order depends only on the
    /// seed and the epoch, so a resumed run sees exactly the batches an uninterrupted run would.
    /// </summary>
    TBatch TrainBatch(int epoch, int index);

    /// <summary>The evaluation batches, in a fixed order.</summary>
    IEnumerable<TBatch> EvalBatches();
}
