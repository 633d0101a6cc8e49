namespace Peft.Tokenization;

/// <summary>
/// The ids and attention masks of a batch, as <see cref="long"/> arrays ready for <c>torch.tensor(…, int64)</c>.
/// Rows have equal length when padding was requested; otherwise each keeps its own length.
/// </summary>
public sealed class BatchEncoding
{
    /// <summary>Creates a batch; every mask row must have the length of its id row.</summary>
    /// <param name="inputIds">One id row per text.</param>
    /// <param name="attentionMask">One mask row per text: 1 for real tokens, 0 for padding.</param>
    /// <exception cref="ArgumentException">The rows do not pair up.</exception>
    public BatchEncoding(IReadOnlyList<long[]> inputIds, IReadOnlyList<long[]> attentionMask)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        ArgumentNullException.ThrowIfNull(attentionMask);
        if (inputIds.Count != attentionMask.Count)
        {
            throw new ArgumentException($"Expected one mask row per id row; found {inputIds.Count} id rows and {attentionMask.Count} mask rows.", nameof(attentionMask));
        }

        for (var i = 0; i < inputIds.Count; i++)
        {
            if (inputIds[i].Length != attentionMask[i].Length)
            {
                throw new ArgumentException($"Row {i} has {inputIds[i].Length} ids but {attentionMask[i].Length} mask values.", nameof(attentionMask));
            }
        }

        InputIds = inputIds;
        AttentionMask = attentionMask;
    }

    /// <summary>The id rows, one per input text.</summary>
    public IReadOnlyList<long[]> InputIds { get; }

    /// <summary>The mask rows: 1 for real tokens, 0 for padding.</summary>
    public IReadOnlyList<long[]> AttentionMask { get; }

    /// <summary>The number of rows.</summary>
    public int Count => InputIds.Count;

    /// <summary>True when every row has the same length (always the case with padding).</summary>
    public bool IsRectangular => InputIds.Count == 0 || InputIds.All(r => r.Length == InputIds[0].Length);

    /// <summary>The length of the longest row.</summary>
    public int MaxLength => InputIds.Count == 0 ? 0 : InputIds.Max(r => r.Length);

    /// <summary>The ids flattened row-major, shape <c>[Count, MaxLength]</c>.</summary>
    /// <returns>A new array of <c>Count × MaxLength</c> ids.</returns>
    /// <exception cref="InvalidOperationException">The rows have different lengths (encode with padding).</exception>
    public long[] FlattenInputIds() => Flatten(InputIds);

    /// <summary>The attention mask flattened row-major, shape <c>[Count, MaxLength]</c>.</summary>
    /// <returns>A new array of <c>Count × MaxLength</c> mask values.</returns>
    /// <exception cref="InvalidOperationException">The rows have different lengths (encode with padding).</exception>
    public long[] FlattenAttentionMask() => Flatten(AttentionMask);

    private long[] Flatten(IReadOnlyList<long[]> rows)
    {
        if (!IsRectangular)
        {
            throw new InvalidOperationException($"The rows have different lengths ({string.Join(", ", InputIds.Select(r => r.Length))}); encode with padding to flatten them.");
        }

        var width = MaxLength;
        var flat = new long[rows.Count * width];
        for (var i = 0; i < rows.Count; i++)
        {
            rows[i].CopyTo(flat, i * width);
        }

        return flat;
    }
}
