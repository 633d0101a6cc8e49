using static TorchSharp.torch;

namespace Peft.Models;

/// <summary>
/// Keys and values of past tokens for incremental decoding. Each layer's buffer is preallocated and grows by
/// doubling, so appending a token costs a copy of that token only (not of the whole history). A model forward
/// with a cache attends to the cached tokens plus the new ones and then appends the new ones.
/// </summary>
/// <remarks>Per layer: keys and values [batch, kvHeads, capacity, headDim]; the first <see cref="Length"/> positions are valid.</remarks>
public sealed class KvCache : IDisposable
{
    private readonly Tensor?[] _keys;
    private readonly Tensor?[] _values;
    private readonly long _initialCapacity;

    /// <summary>Creates an empty cache.</summary>
    /// <param name="layers">Number of decoder layers.</param>
    /// <param name="initialCapacity">Positions to preallocate (grows as needed).</param>
    public KvCache(int layers, long initialCapacity = 256)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(layers, 1);
        _keys = new Tensor?[layers];
        _values = new Tensor?[layers];
        _initialCapacity = Math.Max(1, initialCapacity);
    }

    /// <summary>Number of positions cached.</summary>
    public long Length { get; private set; }

    /// <summary>Number of layers.</summary>
    public int Layers => _keys.Length;

    /// <summary>
    /// Appends a layer's new keys and values after the cached ones and returns views of all of them. The cache
    /// length advances only when <see cref="Advance"/> is called after the last layer.
    /// </summary>
    /// <param name="layer">Layer index.</param>
    /// <param name="keys">[batch, kvHeads, newTokens, headDim]</param>
    /// <param name="values">[batch, kvHeads, newTokens, headDim]</param>
    /// <returns>Views [batch, kvHeads, Length + newTokens, headDim] (owned by the cache; do not dispose).</returns>
    internal (Tensor Keys, Tensor Values) Append(int layer, Tensor keys, Tensor values)
    {
        var added = keys.shape[2];
        var needed = Length + added;
        _keys[layer] = Ensure(_keys[layer], keys, needed);
        _values[layer] = Ensure(_values[layer], values, needed);
        using (no_grad())
        {
            _keys[layer]!.narrow(2, Length, added).copy_(keys);
            _values[layer]!.narrow(2, Length, added).copy_(values);
        }

        return (_keys[layer]!.narrow(2, 0, needed), _values[layer]!.narrow(2, 0, needed));
    }

    /// <summary>Marks <paramref name="tokens"/> more positions as cached (called once per forward).</summary>
    internal void Advance(long tokens) => Length += tokens;

    /// <summary>Forgets everything cached (buffers are kept for reuse).</summary>
    public void Reset() => Length = 0;

    private Tensor Ensure(Tensor? buffer, Tensor like, long needed)
    {
        if (buffer is not null && buffer.shape[2] >= needed)
        {
            if (buffer.shape[0] != like.shape[0])
            {
                throw new InvalidOperationException($"The cache holds batch size {buffer.shape[0]}; the input has {like.shape[0]}.");
            }

            return buffer;
        }

        var capacity = Math.Max(_initialCapacity, buffer is null ? needed : Math.Max(needed, buffer.shape[2] * 2));
        // The cache outlives the forward's dispose scope.
        var grown = zeros(new[] { like.shape[0], like.shape[1], capacity, like.shape[3] }, like.dtype, like.device).DetachFromDisposeScope();
        if (buffer is not null)
        {
            using (no_grad())
            {
                grown.narrow(2, 0, Length).copy_(buffer.narrow(2, 0, Length));
            }

            buffer.Dispose();
        }

        return grown;
    }

    /// <summary>Frees the buffers.</summary>
    public void Dispose()
    {
        for (var i = 0; i < _keys.Length; i++)
        {
            _keys[i]?.Dispose();
            _values[i]?.Dispose();
            _keys[i] = _values[i] = null;
        }
    }
}
