using Peft.Data;
using Peft.Training;
using static TorchSharp.torch;

namespace Peft.Benchmarks;

/// <summary>
/// Random-token SFT batches of a fixed shape: every token real (mask all ones), labels equal to the inputs, so
/// every position but the last carries loss. Batch <c>(epoch, index)</c> is the same on every call.
/// </summary>
internal sealed class SyntheticSftData : ITrainingData<SftBatch>
{
    private readonly ModelShape _shape;
    private readonly int _seed;

    public SyntheticSftData(ModelShape shape, int seed)
    {
        _shape = shape;
        _seed = seed;
    }

    public int BatchesPerEpoch => 1000;

    public int TrainExamples => BatchesPerEpoch * _shape.BatchSize;

    public int EvalExamples => 0;

    /// <summary>Random ids [batch, seq] for a batch position.</summary>
    public static Tensor RandomIds(int vocab, long rows, long length, long seed)
    {
        using var generator = new Generator((ulong)seed);
        return randint(0, vocab, new[] { rows, length }, dtype: ScalarType.Int64, generator: generator);
    }

    public SftBatch TrainBatch(int epoch, int index)
    {
        var ids = RandomIds(_shape.Config.VocabSize, _shape.BatchSize, _shape.SequenceLength, (_seed * 1_000_003L) + (epoch * 10_007L) + index);
        return new SftBatch(ids, ones_like(ids), ids.clone(), null);
    }

    public IEnumerable<SftBatch> EvalBatches() => Array.Empty<SftBatch>();
}
