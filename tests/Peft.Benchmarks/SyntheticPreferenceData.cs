using Peft.Data;
using Peft.Training;
using static TorchSharp.torch;

namespace Peft.Benchmarks;

/// <summary>
/// Random-token preference batches with the same token count as an SFT batch of the shape: batch/2 pairs, each
/// row (chosen, then rejected) of the shape's sequence length, the first half the prompt (no labels) and the second
/// half the completion.
/// </summary>
internal sealed class SyntheticPreferenceData : ITrainingData<PreferenceBatch>
{
    private readonly ModelShape _shape;
    private readonly int _seed;

    public SyntheticPreferenceData(ModelShape shape, int seed)
    {
        if (shape.BatchSize % 2 != 0)
        {
            throw new ArgumentException($"A preference batch needs an even row count; the {shape.Name} batch has {shape.BatchSize}.", nameof(shape));
        }

        _shape = shape;
        _seed = seed;
    }

    public int Pairs => _shape.BatchSize / 2;

    public int BatchesPerEpoch => 1000;

    public int TrainExamples => BatchesPerEpoch * Pairs;

    public int EvalExamples => 0;

    public PreferenceBatch TrainBatch(int epoch, int index)
    {
        long rows = _shape.BatchSize, length = _shape.SequenceLength, prompt = length / 2;
        var ids = SyntheticSftData.RandomIds(_shape.Config.VocabSize, rows, length, (_seed * 1_000_003L) + (epoch * 10_007L) + index);
        using (no_grad())
        {
            // chosen and rejected share the prompt, as real pairs do
            ids.narrow(0, Pairs, Pairs).narrow(1, 0, prompt).copy_(ids.narrow(0, 0, Pairs).narrow(1, 0, prompt));
        }

        var labels = ids.clone();
        labels.narrow(1, 0, prompt).fill_(-100);
        var first = (epoch * BatchesPerEpoch) + index;
        return new PreferenceBatch(ids, ones_like(ids), labels, null, null, Enumerable.Range(first * Pairs, Pairs).ToArray());
    }

    public IEnumerable<PreferenceBatch> EvalBatches() => Array.Empty<PreferenceBatch>();
}
