namespace Peft.Tests.Quantization;

/// <summary>
/// bitsandbytes' published 4-bit and int8 algorithms written out element by element (from its CUDA kernels
/// <c>kQuantizeBlockwise</c>, <c>dQuantizeNF4</c>, <c>dQuantizeFP4</c> and <c>int8_vectorwise_quant</c>), as the
/// reference the vectorised implementation must reproduce bit for bit.
/// </summary>
internal static class BnbReference
{
    public static readonly float[] Nf4Codes =
    {
        -1.0f, (float)-0.6961928009986877, (float)-0.5250730514526367, (float)-0.39491748809814453,
        (float)-0.28444138169288635, (float)-0.18477343022823334, (float)-0.09105003625154495, 0f,
        (float)0.07958029955625534, (float)0.16093020141124725, (float)0.24611230194568634, (float)0.33791524171829224,
        (float)0.44070982933044434, (float)0.5626170039176941, (float)0.7229568362236023, 1.0f,
    };

    /// <summary>FP4: sign bit 3; 0b000=0, 0b001=0.0625, 0b010=8, 0b011=12, 0b100=4, 0b101=6, 0b110=2, 0b111=3, all /12.</summary>
    public static readonly float[] Fp4Codes =
    {
        0f, 0.0625f / 12f, 8f / 12f, 12f / 12f, 4f / 12f, 6f / 12f, 2f / 12f, 3f / 12f,
        0f, -0.0625f / 12f, -8f / 12f, -12f / 12f, -4f / 12f, -6f / 12f, -2f / 12f, -3f / 12f,
    };

    /// <summary>bitsandbytes' <c>dQuantizeNF4</c> decision tree.</summary>
    public static byte Nf4(float x)
    {
        if (x > 0.03979014977812767f)
        {
            if (x > 0.3893125355243683f)
            {
                if (x > 0.6427869200706482f)
                {
                    return x > 0.8614784181118011f ? (byte)0b1111 : (byte)0b1110;
                }

                return x > 0.5016634166240692f ? (byte)0b1101 : (byte)0b1100;
            }

            if (x > 0.2035212516784668f)
            {
                return x > 0.2920137718319893f ? (byte)0b1011 : (byte)0b1010;
            }

            return x > 0.1202552504837513f ? (byte)0b1001 : (byte)0b1000;
        }

        if (x > -0.33967943489551544f)
        {
            if (x > -0.13791173323988914f)
            {
                return x > -0.045525018125772476f ? (byte)0b0111 : (byte)0b0110;
            }

            return x > -0.23460740596055984f ? (byte)0b0101 : (byte)0b0100;
        }

        if (x > -0.6106329262256622f)
        {
            return x > -0.4599952697753906f ? (byte)0b0011 : (byte)0b0010;
        }

        return x > -0.8480964004993439f ? (byte)0b0001 : (byte)0b0000;
    }

    /// <summary>bitsandbytes' <c>dQuantizeFP4</c> decision tree.</summary>
    public static byte Fp4(float x)
    {
        var sign = x < 0 ? 0b1000 : 0b0000;
        x = MathF.Abs(x);
        int bits;
        if (x > 0.29166667f)
        {
            bits = x > 0.583333f ? (x > 0.8333333f ? 0b0011 : 0b0010) : (x > 0.4166667f ? 0b101 : 0b100);
        }
        else if (x > 0.0859375f)
        {
            bits = x > 0.20833333f ? 0b0111 : 0b0110;
        }
        else
        {
            bits = x > 0.00260417f ? 0b0001 : 0b0000;
        }

        return (byte)(bits + sign);
    }

    /// <summary>
    /// <c>quantize_4bit</c> on a flat array: per block absmax, s = x · (1/absmax) in float32, code by the tree,
    /// packed two per byte with the first element in the high nibble (a missing last element encodes 0.0).
    /// An all-zero block gets the zero code (the kernel would compute 0·∞).
    /// </summary>
    public static (byte[] Codes, byte[] Packed, float[] Absmax) Quantize(float[] x, int blockSize, bool nf4)
    {
        var blocks = (x.Length + blockSize - 1) / blockSize;
        var absmax = new float[blocks];
        var codes = new byte[x.Length];
        for (var b = 0; b < blocks; b++)
        {
            var end = Math.Min(x.Length, (b + 1) * blockSize);
            var max = 0f;
            for (var i = b * blockSize; i < end; i++)
            {
                max = MathF.Max(max, MathF.Abs(x[i]));
            }

            absmax[b] = max;
            var inv = max == 0 ? 0f : 1.0f / max;
            for (var i = b * blockSize; i < end; i++)
            {
                var s = x[i] * inv;
                codes[i] = nf4 ? Nf4(s) : Fp4(s);
            }
        }

        var zero = nf4 ? Nf4(0f) : Fp4(0f);
        var packed = new byte[(x.Length + 1) / 2];
        for (var k = 0; k < packed.Length; k++)
        {
            var high = codes[2 * k];
            var low = 2 * k + 1 < x.Length ? codes[(2 * k) + 1] : zero;
            packed[k] = (byte)((high << 4) | low);
        }

        return (codes, packed, absmax);
    }

    /// <summary><c>dequantize_4bit</c>: code[q] · absmax in float32.</summary>
    public static float[] Dequantize(byte[] codes, float[] absmax, int blockSize, bool nf4)
    {
        var table = nf4 ? Nf4Codes : Fp4Codes;
        return codes.Select((q, i) => table[q] * absmax[i / blockSize]).ToArray();
    }

    /// <summary>Half the largest gap between adjacent values of a sorted code table.</summary>
    public static float HalfLargestGap(IEnumerable<float> codes)
    {
        var sorted = codes.Distinct().OrderBy(c => c).ToArray();
        var gap = 0f;
        for (var i = 1; i < sorted.Length; i++)
        {
            gap = MathF.Max(gap, sorted[i] - sorted[i - 1]);
        }

        return gap / 2;
    }
}
