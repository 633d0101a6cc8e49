using static TorchSharp.torch;

namespace Peft.Models;

/// <summary>
/// Decides, once per forward, how attention is masked: TorchSharp's fused causal path when there is no padding
/// and no window to apply, no mask for a single new token, or an explicit boolean mask [batch, 1, query, key]
/// (true = may attend) combining causality, key padding, packed-sequence segments and the sliding window.
/// </summary>
/// <remarks>
/// The attention mask [batch, keys] holds 0 for padding and a positive segment id for real tokens. Plain masks
/// use 1 everywhere; packed batches number the sequences sharing a row 1, 2, 3, … and tokens attend only within
/// their own sequence.
/// </remarks>
internal sealed class AttentionMasks : IDisposable
{
    private readonly Tensor? _full;
    private readonly Tensor? _sliding;

    private AttentionMasks(Tensor? full, bool fullCausal, Tensor? sliding, bool slidingCausal)
    {
        _full = full;
        FullIsCausal = fullCausal;
        _sliding = sliding;
        SlidingIsCausal = slidingCausal;
    }

    public bool FullIsCausal { get; }

    public bool SlidingIsCausal { get; }

    /// <summary>The mask for a layer (null when the fused causal path or no mask applies).</summary>
    public Tensor? For(bool slidingLayer) => slidingLayer ? _sliding : _full;

    /// <summary>Whether a layer should use the fused causal flag instead of a mask.</summary>
    public bool IsCausal(bool slidingLayer) => slidingLayer ? SlidingIsCausal : FullIsCausal;

    /// <param name="attentionMask">[batch, past + query] with 1 for real tokens, or null for no padding.</param>
    /// <param name="batch">Batch size.</param>
    /// <param name="queryLength">New tokens in this forward.</param>
    /// <param name="pastLength">Tokens already in the cache.</param>
    /// <param name="slidingWindow">Window for sliding layers, or null when no layer slides.</param>
    /// <param name="device">Where the mask lives.</param>
    public static AttentionMasks Build(Tensor? attentionMask, long batch, long queryLength, long pastLength, int? slidingWindow, Device device)
    {
        var keyLength = pastLength + queryLength;
        if (attentionMask is not null && attentionMask.shape[^1] != keyLength)
        {
            throw new ArgumentException(
                $"The attention mask covers {attentionMask.shape[^1]} positions; expected past ({pastLength}) + new ({queryLength}) = {keyLength}.",
                nameof(attentionMask));
        }

        var padded = attentionMask is not null
                     && (!attentionMask.to(ScalarType.Bool).all().item<bool>() || attentionMask.max().item<long>() > 1);
        var full = Decide(padded, window: null, queryLength, pastLength, attentionMask, batch, device, out var fullCausal);
        if (slidingWindow is not { } w || keyLength <= w)
        {
            // No window, or one wider than every distance here: sliding layers see exactly what full layers see.
            return new AttentionMasks(full, fullCausal, full, fullCausal);
        }

        var sliding = Decide(padded, w, queryLength, pastLength, attentionMask, batch, device, out var slidingCausal);
        return new AttentionMasks(full, fullCausal, sliding, slidingCausal);
    }

    private static Tensor? Decide(bool padded, int? window, long queryLength, long pastLength, Tensor? attentionMask,
        long batch, Device device, out bool isCausal)
    {
        isCausal = false;
        if (!padded && window is null)
        {
            if (queryLength == 1)
            {
                return null; // one new token attends to everything before it
            }

            if (pastLength == 0)
            {
                isCausal = true;
                return null;
            }
        }

        return Explicit(attentionMask, batch, queryLength, pastLength, window, device);
    }

    private static Tensor Explicit(Tensor? attentionMask, long batch, long queryLength, long pastLength, int? window, Device device)
    {
        using var scope = NewDisposeScope();
        var keyLength = pastLength + queryLength;
        var q = arange(pastLength, keyLength, dtype: ScalarType.Int64, device: device).unsqueeze(1); // [T, 1]
        var k = arange(0, keyLength, dtype: ScalarType.Int64, device: device).unsqueeze(0);         // [1, S]
        var allowed = k <= q;
        if (window is { } w)
        {
            allowed = allowed.logical_and(q - k < w);
        }

        var mask = allowed.unsqueeze(0).unsqueeze(0).expand(batch, 1, queryLength, keyLength);   // [B, 1, T, S]
        if (attentionMask is not null)
        {
            var segments = attentionMask.to(ScalarType.Int64).to(device);                              // [B, S]
            var keys = segments.view(batch, 1, 1, keyLength);
            var queries = segments.narrow(1, pastLength, queryLength).view(batch, 1, queryLength, 1);
            mask = mask.logical_and(keys != 0).logical_and(keys == queries);
        }

        // Every query may attend to itself, so no row is fully masked (padding rows would otherwise turn into NaN
        // and leak through 0 × NaN into real rows). Real tokens always attend to themselves anyway.
        mask = mask.logical_or((k == q).unsqueeze(0).unsqueeze(0));
        return mask.contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A copy whose tensors outlive the forward's dispose scope, for layers recomputed in the backward pass
    /// (activation checkpointing). Its tensors are left to the garbage collector.
    /// </summary>
    public AttentionMasks Retain()
    {
        var full = _full?.alias().DetachFromDisposeScope();
        var sliding = ReferenceEquals(_full, _sliding) ? full : _sliding?.alias().DetachFromDisposeScope();
        return new AttentionMasks(full, FullIsCausal, sliding, SlidingIsCausal);
    }

    public void Dispose()
    {
        _full?.Dispose();
        if (!ReferenceEquals(_full, _sliding))
        {
            _sliding?.Dispose();
        }
    }
}
