using static TorchSharp.torch;

namespace Peft.Quantization;

/// <summary>
/// A 1-D float tensor quantized to 8 bits in blocks with bitsandbytes' signed dynamic map
/// (<c>quantize_blockwise</c>): one float32 absmax per block and one byte per element,
/// <c>x ≈ map[q] · absmax[block]</c>. Used for the double quantization of 4-bit absmax values (blocks of 256).
/// </summary>
/// <remarks>
/// Quantization: <c>absmax_b = max |x_i|</c> over the block, <c>s_i = x_i · (1/absmax_b)</c> (0 when absmax is 0),
/// <c>q_i</c> = index of the nearest map value (ties go to the lower index). The error is at most
/// <c>absmax_b · g/2</c> with <c>g</c> the largest gap between adjacent map values (≈ 0.0141 near ±1).
/// </remarks>
public sealed class Blockwise8BitTensor : IDisposable
{
    private Blockwise8BitTensor(Tensor codes, Tensor absmax, Tensor map, int blockSize, bool ownsMap)
    {
        // Quantized weights live as long as their layer, not as long as the dispose scope they were made in.
        Codes = codes.DetachFromDisposeScope();
        Absmax = absmax.DetachFromDisposeScope();
        Map = ownsMap ? map.DetachFromDisposeScope() : map;
        BlockSize = blockSize;
        OwnsMap = ownsMap;
    }

    /// <summary>The codes, [n] uint8.</summary>
    public Tensor Codes { get; private set; }

    /// <summary>The absmax of every block, [⌈n / blockSize⌉] float32.</summary>
    public Tensor Absmax { get; private set; }

    /// <summary>The 256 code values, [256] float32 (bitsandbytes' dynamic map unless loaded otherwise).</summary>
    public Tensor Map { get; private set; }

    /// <summary>Elements per block.</summary>
    public int BlockSize { get; }

    /// <summary>Number of elements.</summary>
    public long Count => Codes.shape[0];

    /// <summary>Bytes held by this instance (codes, absmax, and the map when it is not the shared default).</summary>
    public long ByteCount => Count + (Absmax.shape[0] * 4) + (OwnsMap ? 256 * 4 : 0);

    internal bool OwnsMap { get; }

    /// <summary>Quantizes a 1-D tensor with the dynamic map.</summary>
    /// <param name="values">[n] any floating dtype.</param>
    /// <param name="blockSize">Elements per block (a power of two, 32–4096; bitsandbytes uses 256 for absmax).</param>
    /// <returns>The quantized tensor on the device of <paramref name="values"/>.</returns>
    /// <exception cref="ArgumentException">The tensor is not 1-D floating point, holds non-finite values, or the block size is invalid.</exception>
    public static Blockwise8BitTensor Quantize(Tensor values, int blockSize = 256)
    {
        ArgumentNullException.ThrowIfNull(values);
        BlockSizes.Validate(blockSize, nameof(blockSize));
        if (values.dim() != 1 || !values.is_floating_point())
        {
            throw new ArgumentException($"Expected a 1-D floating-point tensor; found {values.dtype} [{string.Join(", ", values.shape)}].", nameof(values));
        }

        using var scope = NewDisposeScope();
        var n = values.shape[0];
        var blocks = BlockSizes.BlockCount(n, blockSize);
        var x = values.to(ScalarType.Float32);
        var padded = blocks * blockSize;
        if (padded != n)
        {
            x = nn.functional.pad(x, new[] { 0L, padded - n });
        }

        var xb = x.view(blocks, blockSize);
        var absmax = xb.abs().amax(new long[] { 1 });
        if (!absmax.isfinite().all().item<bool>())
        {
            throw new ArgumentException("Cannot quantize a tensor that holds NaN or infinite values.", nameof(values));
        }

        var inv = absmax.reciprocal().masked_fill_(absmax.eq(0), 0);
        var scaled = xb.mul(inv.unsqueeze(1)).view(-1).narrow(0, 0, n);
        var (map, midpoints) = DynamicMap.On(values.device);
        var codes = bucketize(scaled, midpoints, outInt32: true).to(ScalarType.Byte);
        return new Blockwise8BitTensor(codes.MoveToOuterDisposeScope(), absmax.MoveToOuterDisposeScope(), map, blockSize, ownsMap: false);
    }

    /// <summary>Wraps loaded tensors (taken over). The map is replaced by the shared default when equal to it.</summary>
    internal static Blockwise8BitTensor FromTensors(Tensor codes, Tensor absmax, Tensor map, int blockSize)
    {
        var shared = DynamicMap.On(codes.device).Map;
        bool same;
        using (var scope = NewDisposeScope())
        {
            same = map.shape.SequenceEqual(shared.shape) && map.to(shared.device).eq(shared).all().item<bool>();
        }

        if (same)
        {
            map.Dispose();
            return new Blockwise8BitTensor(codes, absmax, shared, blockSize, ownsMap: false);
        }

        return new Blockwise8BitTensor(codes, absmax, map, blockSize, ownsMap: true);
    }

    /// <summary>Dequantizes: <c>x_i = map[q_i] · absmax[i / blockSize]</c>.</summary>
    /// <returns>[n] float32 (caller owns it).</returns>
    public Tensor Dequantize()
    {
        using var scope = NewDisposeScope();
        var n = Count;
        var blocks = Absmax.shape[0];
        var values = Map.index_select(0, Codes.to(ScalarType.Int32));
        var padded = blocks * BlockSize;
        if (padded != n)
        {
            values = nn.functional.pad(values, new[] { 0L, padded - n });
        }

        return values.view(blocks, BlockSize).mul_(Absmax.unsqueeze(1)).view(-1).narrow(0, 0, n).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>A copy on another device.</summary>
    /// <param name="device">The target device.</param>
    internal Blockwise8BitTensor To(Device device) =>
        new(Codes.to(device), Absmax.to(device), OwnsMap ? Map.to(device) : DynamicMap.On(device).Map, BlockSize, OwnsMap);

    /// <summary>Frees the tensors (the shared default map is kept).</summary>
    public void Dispose()
    {
        Codes.Dispose();
        Absmax.Dispose();
        if (OwnsMap)
        {
            Map.Dispose();
        }
    }
}
