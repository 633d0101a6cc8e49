using System.Collections.Concurrent;
using static TorchSharp.torch;

namespace Peft.Quantization;

/// <summary>
/// The bitsandbytes 4-bit code tables and the decision thresholds its kernels use to pick the nearest code,
/// plus the vectorised encoder built on them (one <c>bucketize</c> over the thresholds).
/// </summary>
internal static class FourBitCodebook
{
    /// <summary>NF4 values in code order (bitsandbytes <c>get_4bit_type("nf4")</c>, rounded from double to float).</summary>
    public static readonly float[] Nf4 =
    {
        (float)-1.0, (float)-0.6961928009986877, (float)-0.5250730514526367, (float)-0.39491748809814453,
        (float)-0.28444138169288635, (float)-0.18477343022823334, (float)-0.09105003625154495, (float)0.0,
        (float)0.07958029955625534, (float)0.16093020141124725, (float)0.24611230194568634, (float)0.33791524171829224,
        (float)0.44070982933044434, (float)0.5626170039176941, (float)0.7229568362236023, (float)1.0,
    };

    /// <summary>
    /// FP4 values in code order: bit 3 is the sign, bits 2–0 the exponent/mantissa pattern
    /// (0b000 = 0, 0b001 = 0.0625, 0b010 = 8, 0b011 = 12, 0b100 = 4, 0b101 = 6, 0b110 = 2, 0b111 = 3), divided by 12
    /// in float32 as bitsandbytes' <c>get_4bit_type("fp4")</c> does. Code 8 is +0 (bitsandbytes writes <c>-0</c>
    /// as a Python integer).
    /// </summary>
    public static readonly float[] Fp4 =
    {
        0f, 0.0625f / 12f, 8f / 12f, 1f, 4f / 12f, 6f / 12f, 2f / 12f, 3f / 12f,
        0f, -(0.0625f / 12f), -(8f / 12f), -1f, -(4f / 12f), -(6f / 12f), -(2f / 12f), -(3f / 12f),
    };

    /// <summary>
    /// bitsandbytes' NF4 decision tree (<c>dQuantizeNF4</c>) flattened: the code of a scaled value <c>s</c> is the
    /// number of thresholds strictly below it. Each threshold is the midpoint of two adjacent codes.
    /// </summary>
    public static readonly float[] Nf4Thresholds =
    {
        -0.8480964004993439f, -0.6106329262256622f, -0.4599952697753906f, -0.33967943489551544f,
        -0.23460740596055984f, -0.13791173323988914f, -0.045525018125772476f, 0.03979014977812767f,
        0.1202552504837513f, 0.2035212516784668f, 0.2920137718319893f, 0.3893125355243683f,
        0.5016634166240692f, 0.6427869200706482f, 0.8614784181118011f,
    };

    /// <summary>
    /// bitsandbytes' FP4 decision tree (<c>dQuantizeFP4</c>) on <c>|s|</c>: the magnitude rank is the number of
    /// thresholds strictly below <c>|s|</c>; <see cref="Fp4RankToBits"/> turns it into the low three bits.
    /// </summary>
    public static readonly float[] Fp4MagnitudeThresholds =
    {
        0.00260417f, 0.0859375f, 0.20833333f, 0.29166667f, 0.4166667f, 0.583333f, 0.8333333f,
    };

    /// <summary>Magnitude rank (0 = smallest) → FP4 bit pattern without the sign.</summary>
    public static readonly byte[] Fp4RankToBits = { 0b000, 0b001, 0b110, 0b111, 0b100, 0b101, 0b010, 0b011 };

    private static readonly ConcurrentDictionary<(QuantType, string), Tensor> Cache = new();

    /// <summary>The 16 code values of a type.</summary>
    public static float[] Codes(QuantType type) => type == QuantType.Nf4 ? Nf4 : Fp4;

    /// <summary>The type's name in bitsandbytes' vocabulary (<c>nf4</c>, <c>fp4</c>).</summary>
    public static string Name(QuantType type) => type == QuantType.Nf4 ? "nf4" : "fp4";

    /// <summary>Parses <c>nf4</c> / <c>fp4</c> (case-insensitive); null when unknown.</summary>
    public static QuantType? TryParse(string? name) => name?.ToLowerInvariant() switch
    {
        "nf4" => QuantType.Nf4,
        "fp4" => QuantType.Fp4,
        _ => null,
    };

    /// <summary>
    /// A [256, 2] float32 table: row <c>b</c> holds the values of the high and the low nibble of byte <c>b</c>, so that
    /// one <c>index_select</c> over the packed bytes yields the codes in element order. Cached per device; do not dispose.
    /// </summary>
    public static Tensor PairTable(QuantType type, Device device) =>
        Cache.GetOrAdd((type, device.ToString()), _ =>
        {
            var codes = Codes(type);
            var pairs = new float[512];
            for (var b = 0; b < 256; b++)
            {
                pairs[2 * b] = codes[b >> 4];
                pairs[(2 * b) + 1] = codes[b & 0xF];
            }

            return Pin(tensor(pairs).view(256, 2).to(device));
        });

    /// <summary>Cells per unit of the lookup grid that replaces a binary search over the thresholds.</summary>
    private const int GridCells = 4096;

    /// <summary>
    /// The lookup grid of a type on a device (cached; do not dispose): <c>Lower[k]</c> counts the thresholds below
    /// the grid cell <c>k</c> with a two-cell margin, and <c>Padded</c> holds the thresholds followed by +∞.
    /// </summary>
    private static (Tensor Lower, Tensor Padded) Grid(QuantType type, Device device)
    {
        var lower = Cache.GetOrAdd((type, "grid:" + device), _ =>
        {
            var thresholds = type == QuantType.Nf4 ? Nf4Thresholds : Fp4MagnitudeThresholds;
            var origin = type == QuantType.Nf4 ? -1.0 : 0.0;
            var cells = (type == QuantType.Nf4 ? 2 : 1) * GridCells;
            var counts = new int[cells + 1];
            for (var k = 0; k <= cells; k++)
            {
                var edge = origin + ((k - 2.0) / GridCells);
                counts[k] = thresholds.Count(t => t < edge);
            }

            return Pin(tensor(counts).to(device));
        });
        var padded = Cache.GetOrAdd((type, "padded:" + device), _ =>
            Pin(tensor((type == QuantType.Nf4 ? Nf4Thresholds : Fp4MagnitudeThresholds).Append(float.PositiveInfinity).ToArray()).to(device)));
        return (lower, padded);
    }

    private static Tensor Fp4Bits(Device device) =>
        Cache.GetOrAdd((QuantType.Fp4, "bits:" + device), _ => Pin(tensor(Fp4RankToBits).to(device)));

    /// <summary>
    /// The number of thresholds strictly below each value, i.e. bitsandbytes' decision tree, computed without a
    /// per-element binary search: <c>k = ⌊(v − origin)·4096⌋</c> picks a grid cell, <c>c = Lower[k]</c> counts the
    /// thresholds certainly below <c>v</c>, and <c>c + [v &gt; thresholds[c]]</c> adds the one threshold that can lie
    /// within the cell's margin (adjacent thresholds are ≥ 0.08 apart, the margin is 3/4096).
    /// </summary>
    /// <param name="values">[n] float32 within the type's range (±1, or [0, 1] for FP4 magnitudes, up to rounding).</param>
    /// <param name="type">Which thresholds.</param>
    /// <returns>[n] int32 counts.</returns>
    private static Tensor CountBelow(Tensor values, QuantType type)
    {
        using var scope = NewDisposeScope();
        var (lower, padded) = Grid(type, values.device);
        var cells = lower.shape[0] - 1;
        var k = (type == QuantType.Nf4 ? values.add(1) : values.clone()).mul_(GridCells).floor_().clamp_(0, cells).to(ScalarType.Int32);
        var count = lower.index_select(0, k);
        var next = padded.index_select(0, count);
        return count.add_(values.gt(next)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Encodes values already scaled to [−1, 1] (<c>s = x · (1/absmax)</c>) as 4-bit codes.
    /// NF4: <c>q = #{t ∈ thresholds : t &lt; s}</c>. FP4: <c>q = 8·[s &lt; 0] + bits(#{t : t &lt; |s|})</c>.
    /// </summary>
    /// <param name="scaled">[n] float32.</param>
    /// <param name="type">The data type.</param>
    /// <returns>[n] uint8 codes 0–15.</returns>
    public static Tensor Encode(Tensor scaled, QuantType type)
    {
        using var scope = NewDisposeScope();
        if (type == QuantType.Nf4)
        {
            return CountBelow(scaled, type).to(ScalarType.Byte).MoveToOuterDisposeScope();
        }

        var rank = CountBelow(scaled.abs(), type);
        var bits = Fp4Bits(scaled.device).index_select(0, rank);
        var sign = scaled.lt(0).to(ScalarType.Byte).mul_(8);
        return bits.add_(sign).MoveToOuterDisposeScope();
    }

    /// <summary>Keeps a cached tensor out of any caller's dispose scope.</summary>
    private static Tensor Pin(Tensor t)
    {
        t.DetachFromDisposeScope();
        return t;
    }
}
