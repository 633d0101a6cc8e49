using Peft.Training;
using static TorchSharp.torch;

namespace Peft.Data;

/// <summary>A padded (or packed) batch for supervised fine-tuning.</summary>
public sealed class SftBatch : ITrainingBatch
{
    /// <summary>Creates a batch from tensors it takes ownership of.</summary>
    /// <param name="inputIds">[batch, seq] int64.</param>
    /// <param name="attentionMask">[batch, seq] int64: 0 padding, else the segment id (1 unless packed).</param>
    /// <param name="labels">[batch, seq] int64, −100 where no loss is wanted.</param>
    /// <param name="positionIds">[batch, seq] positions restarting per packed sequence, or null.</param>
    public SftBatch(Tensor inputIds, Tensor attentionMask, Tensor labels, Tensor? positionIds)
    {
        InputIds = inputIds;
        AttentionMask = attentionMask;
        Labels = labels;
        PositionIds = positionIds;
        TokenCount = (attentionMask != 0).sum().item<long>();
        Weight = (labels.narrow(1, 1, labels.shape[1] - 1) != SftCollator.IgnoreIndex).sum().item<long>();
    }

    /// <summary>[batch, seq] token ids.</summary>
    public Tensor InputIds { get; }

    /// <summary>[batch, seq]: 0 for padding, the segment id for real tokens.</summary>
    public Tensor AttentionMask { get; }

    /// <summary>[batch, seq] targets with −100 for ignored positions.</summary>
    public Tensor Labels { get; }

    /// <summary>[batch, seq] positions for packed rows, or null.</summary>
    public Tensor? PositionIds { get; }

    /// <inheritdoc />
    public long TokenCount { get; }

    /// <summary>Label tokens that carry loss (after the shift).</summary>
    public double Weight { get; }

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        InputIds.Dispose();
        AttentionMask.Dispose();
        Labels.Dispose();
        PositionIds?.Dispose();
    }
}
