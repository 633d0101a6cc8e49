using Peft.Training;
using static TorchSharp.torch;

namespace Peft.Data;

/// <summary>
/// A batch of preference pairs laid out for one concatenated forward: rows <c>0..B−1</c> are prompt + chosen,
/// rows <c>B..2B−1</c> are prompt + rejected; labels are −100 everywhere but the completion tokens.
/// </summary>
public sealed class PreferenceBatch : ITrainingBatch
{
    /// <summary>Creates a batch from tensors it takes ownership of.</summary>
    /// <param name="inputIds">[2·pairs, seq] int64.</param>
    /// <param name="attentionMask">[2·pairs, seq] int64, 0 for padding.</param>
    /// <param name="labels">[2·pairs, seq] int64, −100 outside completions.</param>
    /// <param name="referenceChosen">[pairs] precomputed reference log-probabilities of the chosen completions, or null.</param>
    /// <param name="referenceRejected">[pairs] precomputed reference log-probabilities of the rejected completions, or null.</param>
    /// <param name="indices">Dataset indices of the pairs, in batch order.</param>
    public PreferenceBatch(Tensor inputIds, Tensor attentionMask, Tensor labels, Tensor? referenceChosen, Tensor? referenceRejected, IReadOnlyList<int> indices)
    {
        InputIds = inputIds;
        AttentionMask = attentionMask;
        Labels = labels;
        ReferenceChosen = referenceChosen;
        ReferenceRejected = referenceRejected;
        Indices = indices;
        Pairs = (int)(inputIds.shape[0] / 2);
        TokenCount = (attentionMask != 0).sum().item<long>();
    }

    /// <summary>[2·pairs, seq] token ids.</summary>
    public Tensor InputIds { get; }

    /// <summary>[2·pairs, seq] attention mask.</summary>
    public Tensor AttentionMask { get; }

    /// <summary>[2·pairs, seq] completion labels.</summary>
    public Tensor Labels { get; }

    /// <summary>[pairs] precomputed reference log-probs of the chosen completions, or null.</summary>
    public Tensor? ReferenceChosen { get; }

    /// <summary>[pairs] precomputed reference log-probs of the rejected completions, or null.</summary>
    public Tensor? ReferenceRejected { get; }

    /// <summary>Dataset indices of the pairs.</summary>
    public IReadOnlyList<int> Indices { get; }

    /// <summary>Number of pairs.</summary>
    public int Pairs { get; }

    /// <inheritdoc />
    public long TokenCount { get; }

    /// <summary>Pairs: preference losses are averaged over pairs.</summary>
    public double Weight => Pairs;

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        InputIds.Dispose();
        AttentionMask.Dispose();
        Labels.Dispose();
        ReferenceChosen?.Dispose();
        ReferenceRejected?.Dispose();
    }
}
