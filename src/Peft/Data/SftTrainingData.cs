using Peft.Training;

namespace Peft.Data;

/// <summary>
/// Batches tokenized examples for the trainer: shuffled per epoch with the seed (so a resumed run sees the same
/// order), optionally length-grouped, optionally packed; evaluation batches in file order.
/// </summary>
public sealed class SftTrainingData : ITrainingData<SftBatch>
{
    private readonly SftCollator _collator;
    private readonly IReadOnlyList<IReadOnlyList<TokenizedExample>> _trainRows;
    private readonly IReadOnlyList<IReadOnlyList<TokenizedExample>> _evalRows;
    private readonly int _batchSize;
    private readonly long _seed;
    private readonly bool _packed;

    /// <summary>Prepares the batches.</summary>
    /// <param name="collator">Builds batches (its options decide packing and length grouping).</param>
    /// <param name="train">Tokenized training examples.</param>
    /// <param name="eval">Tokenized evaluation examples (may be empty).</param>
    /// <param name="batchSize">Rows per micro-batch.</param>
    /// <param name="seed">Shuffle seed.</param>
    public SftTrainingData(SftCollator collator, IReadOnlyList<TokenizedExample> train, IReadOnlyList<TokenizedExample> eval, int batchSize, long seed)
    {
        _collator = collator ?? throw new ArgumentNullException(nameof(collator));
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (train.Count == 0)
        {
            throw new ArgumentException("There are no training examples.", nameof(train));
        }

        _packed = collator.Options.Packing;
        _trainRows = _packed ? SftCollator.Pack(train, collator.Options.MaxLength) : train.Select(e => (IReadOnlyList<TokenizedExample>)new[] { e }).ToList();
        _evalRows = eval.Select(e => (IReadOnlyList<TokenizedExample>)new[] { e }).ToList();
        _batchSize = batchSize;
        _seed = seed;
        TrainExamples = train.Count;
        EvalExamples = eval.Count;
        TrainTokens = train.Sum(e => (long)e.Length);
    }

    /// <inheritdoc />
    public int BatchesPerEpoch => (_trainRows.Count + _batchSize - 1) / _batchSize;

    /// <inheritdoc />
    public int TrainExamples { get; }

    /// <inheritdoc />
    public int EvalExamples { get; }

    /// <summary>Tokens in the training examples.</summary>
    public long TrainTokens { get; }

    /// <inheritdoc />
    public SftBatch TrainBatch(int epoch, int index)
    {
        var order = Order(epoch);
        var rows = order.Skip(index * _batchSize).Take(_batchSize).Select(i => _trainRows[i]).ToList();
        return _packed ? _collator.CollatePacked(rows) : _collator.Collate(rows.Select(r => r[0]).ToList());
    }

    /// <inheritdoc />
    public IEnumerable<SftBatch> EvalBatches()
    {
        for (var i = 0; i < _evalRows.Count; i += _batchSize)
        {
            yield return _collator.Collate(_evalRows.Skip(i).Take(_batchSize).Select(r => r[0]).ToList());
        }
    }

    private int[] _cachedOrder = Array.Empty<int>();
    private int _cachedEpoch = -1;

    /// <summary>The row order of an epoch: a seeded shuffle, then (when grouping by length) sorted within megabatches of 50 batches.</summary>
    private int[] Order(int epoch)
    {
        if (epoch == _cachedEpoch)
        {
            return _cachedOrder;
        }

        var order = Enumerable.Range(0, _trainRows.Count).ToArray();
        new Random(unchecked((int)(_seed * 1_000_003 + epoch))).Shuffle(order);
        if (_collator.Options.GroupByLength)
        {
            var mega = _batchSize * 50;
            order = order.Chunk(mega)
                .SelectMany(chunk => chunk.OrderByDescending(i => _trainRows[i].Sum(e => e.Length)))
                .ToArray();
        }

        _cachedEpoch = epoch;
        _cachedOrder = order;
        return order;
    }
}
