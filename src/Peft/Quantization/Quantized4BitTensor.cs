using static TorchSharp.torch;

namespace Peft.Quantization;

/// <summary>
/// A tensor quantized to 4 bits in bitsandbytes' layout (<c>quantize_4bit</c>): the tensor is flattened row-major
/// and cut into blocks of <see cref="BlockSize"/> elements; each block keeps its float32 absolute maximum and each
/// element the index of the nearest of 16 code values (<see cref="QuantType"/>); two codes share a byte, the first
/// element in the high nibble. With double quantization the absmax values are themselves quantized to 8 bits
/// (<see cref="DoubleQuantized"/>), which brings NF4 from 4.5 to about 4.127 bits per element at block size 64.
/// </summary>
/// <remarks>
/// <para>Quantization of block <c>b</c>: <c>absmax_b = max |x_i|</c>, <c>s_i = x_i · (1/absmax_b)</c> (float32
/// reciprocal, then multiply, as in the bitsandbytes kernels), <c>q_i</c> = nearest code by bitsandbytes' midpoint
/// thresholds (a value exactly on a midpoint takes the lower code). A block whose absmax is 0 is encoded with the
/// zero code (NF4 7, FP4 0) and dequantizes to exactly 0. An odd element count is padded with the code of 0.0 in
/// the last low nibble.</para>
/// <para>Dequantization: <c>x̂_i = code[q_i] · absmax_b</c> in float32, then cast to the requested dtype. The error is
/// at most <c>absmax_b · g/2</c>, <c>g</c> the largest gap between adjacent codes (NF4: 0.3038, FP4: 0.3333).</para>
/// <para>Double quantization: <c>c = mean(absmax)</c>, then <c>absmax − c</c> is quantized with
/// <see cref="Blockwise8BitTensor"/> in blocks of 256 and rebuilt as <c>map[q] · absmax₂ + c</c>.</para>
/// </remarks>
public sealed class Quantized4BitTensor : IDisposable
{
    /// <summary>Elements per chunk while quantizing, so transient memory stays bounded for huge weights.</summary>
    private const long ChunkElements = 1L << 22;

    private static long s_dequantizations;

    internal Quantized4BitTensor(long[] shape, QuantType type, int blockSize, ScalarType originalDType, Tensor packed,
        Tensor? absmax, Blockwise8BitTensor? doubleQuantized, float absmaxOffset)
    {
        Shape = shape;
        QuantType = type;
        BlockSize = blockSize;
        OriginalDType = originalDType;
        // Quantized weights live as long as their layer, not as long as the dispose scope they were made in.
        Packed = packed.DetachFromDisposeScope();
        Absmax = absmax?.DetachFromDisposeScope();
        DoubleQuantized = doubleQuantized;
        AbsmaxOffset = absmaxOffset;
    }

    /// <summary>The shape of the original tensor.</summary>
    public long[] Shape { get; }

    /// <summary>The 4-bit data type.</summary>
    public QuantType QuantType { get; }

    /// <summary>Elements per block.</summary>
    public int BlockSize { get; }

    /// <summary>The dtype of the tensor that was quantized (recorded as bitsandbytes' <c>dtype</c>).</summary>
    public ScalarType OriginalDType { get; }

    /// <summary>The packed codes, [⌈n/2⌉, 1] uint8 (bitsandbytes' shape); byte <c>k</c> holds element 2k in its high nibble.</summary>
    public Tensor Packed { get; }

    /// <summary>The absmax of every block, [⌈n / blockSize⌉] float32; null when double-quantized.</summary>
    public Tensor? Absmax { get; }

    /// <summary>The 8-bit quantized <c>absmax − <see cref="AbsmaxOffset"/></c>; null without double quantization.</summary>
    public Blockwise8BitTensor? DoubleQuantized { get; }

    /// <summary>The mean subtracted from the absmax values before double quantization (bitsandbytes' <c>nested_offset</c>).</summary>
    public float AbsmaxOffset { get; }

    /// <summary>Whether the absmax values are double-quantized.</summary>
    public bool IsDoubleQuantized => DoubleQuantized is not null;

    /// <summary>Number of elements <c>n</c>.</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>Number of blocks, <c>⌈n / blockSize⌉</c>.</summary>
    public long BlockCount => BlockSizes.BlockCount(ElementCount, BlockSize);

    /// <summary>The device the tensors live on.</summary>
    public Device Device => Packed.device;

    /// <summary>Bytes of packed codes, <c>⌈n/2⌉</c>.</summary>
    public long PackedBytes => Packed.numel();

    /// <summary>Bytes of per-block scales: 4 per block, or 1 per block when double-quantized.</summary>
    public long AbsmaxBytes => IsDoubleQuantized ? BlockCount : BlockCount * 4;

    /// <summary>Bytes of the double-quantization state: the per-256 float32 absmax, the float32 offset, and a non-default map.</summary>
    public long DoubleQuantBytes => DoubleQuantized is null ? 0 : DoubleQuantized.ByteCount - DoubleQuantized.Count + 4;

    /// <summary>Bytes held in memory: <see cref="PackedBytes"/> + <see cref="AbsmaxBytes"/> + <see cref="DoubleQuantBytes"/>.</summary>
    public long ByteCount => PackedBytes + AbsmaxBytes + DoubleQuantBytes;

    /// <summary>
    /// Bytes in a saved state dict: <see cref="ByteCount"/> plus the 16-entry <c>quant_map</c>, the 256-entry
    /// <c>nested_quant_map</c> (when double-quantized) and the JSON <c>quant_state</c> tensor.
    /// </summary>
    public long SerializedByteCount =>
        PackedBytes + AbsmaxBytes + (IsDoubleQuantized ? (DoubleQuantized!.Absmax.shape[0] * 4) + (256 * 4) : 0) + (16 * 4)
        + QuantStateJson.Create(this).Length;

    /// <summary>Average storage per element in bits, from <see cref="ByteCount"/>.</summary>
    public double BitsPerElement => ByteCount * 8.0 / ElementCount;

    /// <summary>How many times any 4-bit tensor has been dequantized in this process (for tests of recomputation).</summary>
    internal static long Dequantizations => Interlocked.Read(ref s_dequantizations);

    /// <summary>Quantizes a tensor to 4 bits.</summary>
    /// <param name="value">Any shape, float32/bfloat16/float16/float64, on any device; not modified.</param>
    /// <param name="type">NF4 or FP4.</param>
    /// <param name="blockSize">Elements per block: a power of two from 32 to 4096 (bitsandbytes' default 64).</param>
    /// <param name="doubleQuant">Quantize the absmax values to 8 bits as well (<c>bnb_4bit_use_double_quant</c>).</param>
    /// <returns>The quantized tensor on the device of <paramref name="value"/>.</returns>
    /// <exception cref="ArgumentException">The tensor is empty, not floating point, or holds NaN/∞.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The block size is invalid.</exception>
    public static Quantized4BitTensor Quantize(Tensor value, QuantType type = QuantType.Nf4, int blockSize = 64, bool doubleQuant = false)
    {
        ArgumentNullException.ThrowIfNull(value);
        BlockSizes.Validate(blockSize, nameof(blockSize));
        if (!value.is_floating_point() || value.numel() == 0)
        {
            throw new ArgumentException($"Expected a non-empty floating-point tensor; found {value.dtype} [{string.Join(", ", value.shape)}].", nameof(value));
        }

        var n = value.numel();
        var blocks = BlockSizes.BlockCount(n, blockSize);
        var device = value.device;
        var packed = empty(new[] { (n + 1) / 2, 1L }, ScalarType.Byte, device);
        var absmax = empty(new[] { blocks }, ScalarType.Float32, device);
        try
        {
            using (no_grad())
            using (NewDisposeScope()) // the detached view must not outlive the call: it keeps the caller's storage alive
            {
                var flat = value.detach().reshape(-1);
                var chunk = Math.Max(blockSize, ChunkElements / blockSize * blockSize);
                var packedFlat = packed.view(-1);
                for (long start = 0; start < n; start += chunk)
                {
                    using var scope = NewDisposeScope();
                    QuantizeChunk(flat.narrow(0, start, Math.Min(chunk, n - start)), type, blockSize,
                        packedFlat.narrow(0, start / 2, (Math.Min(chunk, n - start) + 1) / 2), absmax.narrow(0, start / blockSize, BlockSizes.BlockCount(Math.Min(chunk, n - start), blockSize)));
                }
            }

            if (!doubleQuant)
            {
                return new Quantized4BitTensor(value.shape, type, blockSize, value.dtype, packed, absmax, null, 0f);
            }

            float offset;
            using (var mean = absmax.mean())
            {
                offset = mean.item<float>();
            }

            Blockwise8BitTensor nested;
            using (var centered = absmax.sub(offset))
            {
                nested = Blockwise8BitTensor.Quantize(centered, 256);
            }

            absmax.Dispose();
            return new Quantized4BitTensor(value.shape, type, blockSize, value.dtype, packed, null, nested, offset);
        }
        catch
        {
            packed.Dispose();
            absmax.Dispose();
            throw;
        }
    }

    /// <summary>Quantizes one chunk (a whole number of blocks, except possibly at the end) into its slices of the outputs.</summary>
    private static void QuantizeChunk(Tensor x, QuantType type, int blockSize, Tensor packedOut, Tensor absmaxOut)
    {
        var len = x.shape[0];
        var blocks = BlockSizes.BlockCount(len, blockSize);
        var values = x.to(ScalarType.Float32);
        var padded = blocks * blockSize; // zero padding leaves every absmax unchanged
        if (padded != len)
        {
            values = nn.functional.pad(values, new[] { 0L, padded - len });
        }

        var xb = values.view(blocks, blockSize);
        var absmax = xb.abs().amax(new long[] { 1 });
        if (!absmax.isfinite().all().item<bool>())
        {
            throw new ArgumentException("Cannot quantize a tensor that holds NaN or infinite values.", "value");
        }

        var inv = absmax.reciprocal().masked_fill_(absmax.eq(0), 0);
        var codes = FourBitCodebook.Encode(xb.mul(inv.unsqueeze(1)).view(-1), type);
        var pairs = codes.narrow(0, 0, 2 * ((len + 1) / 2)).view(-1, 2);
        packedOut.copy_(pairs.select(1, 0).mul(16).add_(pairs.select(1, 1)));
        absmaxOut.copy_(absmax);
    }

    /// <summary>The absmax of every block, rebuilt from the double quantization when there is one.</summary>
    /// <returns>[⌈n / blockSize⌉] float32 (caller owns it).</returns>
    public Tensor DequantizeAbsmax()
    {
        if (DoubleQuantized is null)
        {
            return Absmax!.clone();
        }

        using var scope = NewDisposeScope();
        return DoubleQuantized.Dequantize().add_(AbsmaxOffset).MoveToOuterDisposeScope();
    }

    /// <summary>Dequantizes: <c>x̂_i = code[q_i] · absmax_{i / blockSize}</c> computed in float32.</summary>
    /// <param name="dtype">Dtype of the result (float32, bfloat16, float16).</param>
    /// <returns>A tensor of <see cref="Shape"/> on <see cref="Device"/> (caller owns it).</returns>
    public Tensor Dequantize(ScalarType dtype = ScalarType.Float32)
    {
        Interlocked.Increment(ref s_dequantizations);
        using var scope = NewDisposeScope();
        using var guard = no_grad();
        var n = ElementCount;
        var blocks = BlockCount;
        var absmax = DoubleQuantized is null ? Absmax! : DequantizeAbsmax();
        var values = FourBitCodebook.PairTable(QuantType, Device).index_select(0, Packed.view(-1).to(ScalarType.Int32)).view(-1);
        var padded = blocks * BlockSize;
        if (padded != values.shape[0])
        {
            values = nn.functional.pad(values, new[] { 0L, padded - values.shape[0] });
        }

        values = values.view(blocks, BlockSize).mul_(absmax.unsqueeze(1)).view(-1);
        if (padded != n)
        {
            values = values.narrow(0, 0, n).contiguous();
        }

        var result = values.view(Shape);
        return (dtype == ScalarType.Float32 ? result : result.to(dtype)).MoveToOuterDisposeScope();
    }

    /// <summary>The 4-bit codes in element order (for inspection and tests).</summary>
    /// <returns>[n] uint8 values 0–15 (caller owns it).</returns>
    public Tensor UnpackCodes()
    {
        using var scope = NewDisposeScope();
        var bytes = Packed.view(-1);
        var high = bytes.bitwise_right_shift(tensor((byte)4, device: Device));
        var low = bytes.bitwise_and(tensor((byte)0xF, device: Device));
        return stack(new[] { high, low }, 1).view(-1).narrow(0, 0, ElementCount).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>A copy on another device.</summary>
    /// <param name="device">The target device.</param>
    public Quantized4BitTensor To(Device device) =>
        new(Shape, QuantType, BlockSize, OriginalDType, Packed.to(device), Absmax?.to(device), DoubleQuantized?.To(device), AbsmaxOffset);

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        Packed.Dispose();
        Absmax?.Dispose();
        DoubleQuantized?.Dispose();
    }
}
