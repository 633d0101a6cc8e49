using Peft.Training;

namespace Peft.Data;

/// <summary>
/// Batches tokenized preference pairs for the trainer (shuffled per epoch with the seed), carrying precomputed
/// reference log-probabilities once <see cref="SetReference"/> has been called.
/// </summary>
public sealed class PreferenceTrainingData : ITrainingData<PreferenceBatch>
{
    private readonly PreferenceCollator _collator;
    private readonly IReadOnlyList<TokenizedPair> _train;
    private readonly IReadOnlyList<TokenizedPair> _eval;
    private readonly int _batchSize;
    private readonly long _seed;
    private (float[] Chosen, float[] Rejected)? _trainReference;
    private (float[] Chosen, float[] Rejected)? _evalReference;

    /// <summary>Prepares the batches.</summary>
    /// <param name="collator">Builds batches.</param>
    /// <param name="train">Training pairs.</param>
    /// <param name="eval">Evaluation pairs (may be empty).</param>
    /// <param name="batchSize">Pairs per micro-batch.</param>
    /// <param name="seed">Shuffle seed.</param>
    public PreferenceTrainingData(PreferenceCollator collator, IReadOnlyList<TokenizedPair> train, IReadOnlyList<TokenizedPair> eval, int batchSize, long seed)
    {
        _collator = collator ?? throw new ArgumentNullException(nameof(collator));
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _train = train.Count > 0 ? train : throw new ArgumentException("There are no training pairs.", nameof(train));
        _eval = eval;
        _batchSize = batchSize;
        _seed = seed;
    }

    /// <inheritdoc />
    public int BatchesPerEpoch => (_train.Count + _batchSize - 1) / _batchSize;

    /// <inheritdoc />
    public int TrainExamples => _train.Count;

    /// <inheritdoc />
    public int EvalExamples => _eval.Count;

    /// <summary>Whether batches carry precomputed reference log-probs.</summary>
    public bool HasReference => _trainReference is not null;

    /// <summary>
    /// Computes reference scores once for every pair (e.g. with <see cref="DpoObjective.ReferenceScores"/>), so
    /// training needs no reference forward pass.
    /// </summary>
    /// <param name="score">Returns [2·pairs] scores of a batch: chosen rows, then rejected rows.</param>
    public void SetReference(Func<PreferenceBatch, TorchSharp.torch.Tensor> score)
    {
        ArgumentNullException.ThrowIfNull(score);
        _trainReference = Score(_train, score);
        _evalReference = Score(_eval, score);
    }

    private (float[] Chosen, float[] Rejected) Score(IReadOnlyList<TokenizedPair> pairs, Func<PreferenceBatch, TorchSharp.torch.Tensor> score)
    {
        var chosen = new float[pairs.Count];
        var rejected = new float[pairs.Count];
        for (var start = 0; start < pairs.Count; start += _batchSize)
        {
            var indices = Enumerable.Range(start, Math.Min(_batchSize, pairs.Count - start)).ToList();
            using var batch = _collator.Collate(indices.Select(i => pairs[i]).ToList(), indices);
            using var scores = score(batch);
            var values = scores.cpu().data<float>().ToArray();
            for (var k = 0; k < indices.Count; k++)
            {
                chosen[indices[k]] = values[k];
                rejected[indices[k]] = values[indices.Count + k];
            }
        }

        return (chosen, rejected);
    }

    /// <inheritdoc />
    public PreferenceBatch TrainBatch(int epoch, int index)
    {
        var order = Enumerable.Range(0, _train.Count).ToArray();
        new Random(unchecked((int)(_seed * 1_000_003 + epoch))).Shuffle(order);
        var indices = order.Skip(index * _batchSize).Take(_batchSize).ToList();
        return Collate(_train, indices, _trainReference);
    }

    /// <inheritdoc />
    public IEnumerable<PreferenceBatch> EvalBatches()
    {
        for (var start = 0; start < _eval.Count; start += _batchSize)
        {
            yield return Collate(_eval, Enumerable.Range(start, Math.Min(_batchSize, _eval.Count - start)).ToList(), _evalReference);
        }
    }

    private PreferenceBatch Collate(IReadOnlyList<TokenizedPair> pairs, List<int> indices, (float[] Chosen, float[] Rejected)? reference) =>
        _collator.Collate(indices.Select(i => pairs[i]).ToList(), indices,
            reference?.Chosen is { } c ? indices.Select(i => c[i]).ToArray() : null,
            reference?.Rejected is { } r ? indices.Select(i => r[i]).ToArray() : null);
}
