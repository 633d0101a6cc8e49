using FluentAssertions;
using Peft.Quantization;
using Xunit;
using static TorchSharp.torch;

namespace Peft.Tests.Quantization;

/// <summary>NF4/FP4 blockwise quantization against bitsandbytes' published algorithm (see <see cref="BnbReference"/>).</summary>
public sealed class FourBitQuantizationTests
{
    private static readonly float[] HandValues = { 2.0f, -2.0f, 0f, 1.0f, -1.0f, 0.1f, 1.9f, -0.3f };

    private static float[] Padded(float[] head, int length) => head.Concat(new float[length - head.Length]).ToArray();

    private static byte[] Bytes(Tensor t) => t.contiguous().data<byte>().ToArray();

    private static float[] Floats(Tensor t) => t.contiguous().data<float>().ToArray();

    [Fact]
    public void Nf4HandCheckedBlock()
    {
        // absmax 2 → s = x/2 = [1, −1, 0, 0.5, −0.5, 0.05, 0.95, −0.15]: 1→15, −1→0, 0→7, 0.5→12 (0.5 ≤ midpoint 0.50166),
        // −0.5→2 (≤ −0.45999), 0.05→8, 0.95→15, −0.15→5 (≤ −0.13791), padding 0→7.
        using var x = tensor(Padded(HandValues, 32));
        using var q = Quantized4BitTensor.Quantize(x, QuantType.Nf4, blockSize: 32);

        Floats(q.Absmax!).Should().Equal(2.0f);
        using var codes = q.UnpackCodes();
        Bytes(codes).Take(10).Should().Equal(15, 0, 7, 12, 2, 8, 15, 5, 7, 7);
        Bytes(q.Packed).Take(5).Should().Equal(0xF0, 0x7C, 0x28, 0xF5, 0x77); // first element in the high nibble
        q.Packed.shape.Should().Equal(16, 1);
        using var deq = q.Dequantize();
        Floats(deq).Take(8).Should().Equal(
            2.0f, -2.0f, 0f, BnbReference.Nf4Codes[12] * 2f, BnbReference.Nf4Codes[2] * 2f, BnbReference.Nf4Codes[8] * 2f, 2.0f, BnbReference.Nf4Codes[5] * 2f);
    }

    [Fact]
    public void Fp4HandCheckedBlockWithSignBit()
    {
        // s = [1, −1, 0, 0.5, −0.5, 0.05, 0.95, −0.15]: 1→0b0011, −1→0b1011, 0→0, 0.5→0b0101 (6/12), −0.5→0b1101,
        // 0.05→0b0001 (0.0625/12), 0.95→0b0011, −0.15→0b1110 (−2/12).
        using var x = tensor(Padded(HandValues, 32));
        using var q = Quantized4BitTensor.Quantize(x, QuantType.Fp4, blockSize: 32);

        using var codes = q.UnpackCodes();
        Bytes(codes).Take(9).Should().Equal(0b0011, 0b1011, 0, 0b0101, 0b1101, 0b0001, 0b0011, 0b1110, 0);
        Bytes(q.Packed).Take(4).Should().Equal(0x3B, 0x05, 0xD1, 0x3E);
        using var deq = q.Dequantize();
        Floats(deq).Take(8).Should().Equal(2f, -2f, 0f, 1f, -1f, 0.0625f / 12f * 2f, 2f, -2f / 12f * 2f);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BlockBoundariesAndPartialLastBlock(bool nf4)
    {
        // 70 elements in blocks of 32: [0, 32), [32, 64) and a partial block [64, 70), each with its own scale.
        var generator = new Random(7);
        var x = Enumerable.Range(0, 70).Select(i => (float)(generator.NextDouble() * 2 - 1) * (i < 32 ? 0.01f : i < 64 ? 5f : 300f)).ToArray();
        using var input = tensor(x);
        using var q = Quantized4BitTensor.Quantize(input, nf4 ? QuantType.Nf4 : QuantType.Fp4, blockSize: 32);
        var (codes, packed, absmax) = BnbReference.Quantize(x, 32, nf4);

        q.BlockCount.Should().Be(3);
        Floats(q.Absmax!).Should().Equal(absmax);
        absmax[2].Should().Be(x.Skip(64).Max(MathF.Abs));
        using var unpacked = q.UnpackCodes();
        Bytes(unpacked).Should().Equal(codes);
        Bytes(q.Packed).Should().Equal(packed);
    }

    [Theory]
    [InlineData(QuantType.Nf4, 7)]
    [InlineData(QuantType.Fp4, 0)]
    public void AllZeroBlockUsesTheZeroCodeAndDequantizesToZero(QuantType type, int zeroCode)
    {
        var x = Enumerable.Range(0, 32).Select(i => (float)Math.Sin(i)).Concat(new float[32]).ToArray();
        using var q = Quantized4BitTensor.Quantize(tensor(x), type, blockSize: 32);

        Floats(q.Absmax!)[1].Should().Be(0f);
        using var codes = q.UnpackCodes();
        Bytes(codes).Skip(32).Should().OnlyContain(c => c == zeroCode);
        using var deq = q.Dequantize();
        Floats(deq).Skip(32).Should().OnlyContain(v => v == 0f);
    }

    [Theory]
    [InlineData(QuantType.Nf4, 0)]
    [InlineData(QuantType.Fp4, 0b1011)]
    public void NegativeOnlyBlockMapsItsMinimumToMinusOne(QuantType type, int minusOneCode)
    {
        var x = Enumerable.Range(0, 32).Select(i => -0.5f - (i * 0.01f)).ToArray(); // all negative, minimum −0.81
        using var q = Quantized4BitTensor.Quantize(tensor(x), type, blockSize: 32);
        var (codes, _, absmax) = BnbReference.Quantize(x, 32, type == QuantType.Nf4);

        Floats(q.Absmax!).Should().Equal(absmax);
        absmax[0].Should().Be(0.81f);
        using var unpacked = q.UnpackCodes();
        Bytes(unpacked).Should().Equal(codes);
        codes[31].Should().Be((byte)minusOneCode);
        using var deq = q.Dequantize();
        Floats(deq)[31].Should().Be(-0.81f);
    }

    [Fact]
    public void OddLengthPadsTheLastLowNibbleWithTheZeroCode()
    {
        var x = Enumerable.Range(0, 33).Select(i => i - 16f).ToArray();
        using var q = Quantized4BitTensor.Quantize(tensor(x), QuantType.Nf4, blockSize: 32);
        var (codes, packed, _) = BnbReference.Quantize(x, 32, nf4: true);

        q.Packed.shape.Should().Equal(17, 1);
        Bytes(q.Packed).Should().Equal(packed);
        Bytes(q.Packed)[16].Should().Be((byte)((codes[32] << 4) | 7)); // x[32] = 16 is its block's max → 15, then the pad nibble 7
        using var deq = q.Dequantize();
        deq.shape.Should().Equal(33);
        Floats(deq)[32].Should().Be(16f);
    }

    public static TheoryData<int, int, bool> RandomCases()
    {
        var data = new TheoryData<int, int, bool>();
        foreach (var (n, bs) in new[] { (1, 32), (31, 32), (64, 64), (65, 64), (1000, 128), (4097, 256), (5000, 4096), (3000, 1024) })
        {
            data.Add(n, bs, true);
            data.Add(n, bs, false);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RandomCases))]
    public void CodesAndAbsmaxEqualThePublishedAlgorithmBitForBit(int n, int blockSize, bool nf4)
    {
        var generator = new Random(n + blockSize);
        var x = Enumerable.Range(0, n).Select(_ => (float)(Normal(generator) * 0.02)).ToArray();
        using var q = Quantized4BitTensor.Quantize(tensor(x), nf4 ? QuantType.Nf4 : QuantType.Fp4, blockSize);
        var (codes, packed, absmax) = BnbReference.Quantize(x, blockSize, nf4);

        Floats(q.Absmax!).Should().Equal(absmax);
        Bytes(q.Packed).Should().Equal(packed);
        using var deq = q.Dequantize();
        Floats(deq).Should().Equal(BnbReference.Dequantize(codes, absmax, blockSize, nf4));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ValuesOnAndAroundEveryThresholdFollowTheDecisionTree(bool nf4)
    {
        // Block absmax 1 (the first element), so s = x exactly; probe each midpoint threshold and its float neighbours.
        float[] thresholds = nf4
            ? new[] { -0.8480964004993439f, -0.6106329262256622f, -0.4599952697753906f, -0.33967943489551544f, -0.23460740596055984f,
                -0.13791173323988914f, -0.045525018125772476f, 0.03979014977812767f, 0.1202552504837513f, 0.2035212516784668f,
                0.2920137718319893f, 0.3893125355243683f, 0.5016634166240692f, 0.6427869200706482f, 0.8614784181118011f }
            : new[] { 0.00260417f, 0.0859375f, 0.20833333f, 0.29166667f, 0.4166667f, 0.583333f, 0.8333333f };
        var probes = thresholds.SelectMany(t => new[] { t, MathF.BitIncrement(t), MathF.BitDecrement(t), -t, -MathF.BitIncrement(t) })
            .Concat(new[] { 0f, -0f, 1f, -1f, MathF.BitDecrement(1f), MathF.BitIncrement(-1f), 1e-30f, -1e-30f }).ToList();
        var x = probes.Chunk(63).SelectMany(c => new[] { 1f }.Concat(c).Concat(new float[63 - c.Length])).ToArray(); // 1 opens every block
        using var q = Quantized4BitTensor.Quantize(tensor(x), nf4 ? QuantType.Nf4 : QuantType.Fp4, blockSize: 64);
        using var codes = q.UnpackCodes();

        Floats(q.Absmax!).Should().OnlyContain(a => a == 1f);
        Bytes(codes).Should().Equal(x.Select(v => nf4 ? BnbReference.Nf4(v) : BnbReference.Fp4(v)));
    }

    [Theory]
    [InlineData(QuantType.Nf4)]
    [InlineData(QuantType.Fp4)]
    public void DequantizationErrorIsWithinHalfTheLargestCodeGapTimesAbsmax(QuantType type)
    {
        using var x = randn(96, 160, generator: new TorchSharp.torch.Generator(3)).mul_(0.05);
        using var q = Quantized4BitTensor.Quantize(x, type, blockSize: 64);
        using var deq = q.Dequantize();
        var half = BnbReference.HalfLargestGap(type == QuantType.Nf4 ? BnbReference.Nf4Codes : BnbReference.Fp4Codes);

        half.Should().BeApproximately(type == QuantType.Nf4 ? 0.15190360f : 1f / 6f, 1e-6f);
        using var error = (deq - x).abs().view(-1, 64).amax(new long[] { 1 });
        using var bound = q.Absmax!.mul(half * (1 + 1e-6));
        error.le(bound).all().item<bool>().Should().BeTrue();
        error.max().item<float>().Should().BeGreaterThan(0f);
    }

    [Fact]
    public void HalfPrecisionInputsQuantizeLikeTheirFloat32Values()
    {
        using var bf16 = randn(64, 96, generator: new TorchSharp.torch.Generator(5)).to(ScalarType.BFloat16);
        using var f32 = bf16.to(ScalarType.Float32);
        using var a = Quantized4BitTensor.Quantize(bf16, QuantType.Nf4, 64, doubleQuant: false);
        using var b = Quantized4BitTensor.Quantize(f32, QuantType.Nf4, 64, doubleQuant: false);

        a.OriginalDType.Should().Be(ScalarType.BFloat16);
        TensorAssert.Same(a.Packed, b.Packed).Should().BeTrue();
        TensorAssert.Same(a.Absmax!, b.Absmax!).Should().BeTrue();
        using var deq = a.Dequantize(ScalarType.BFloat16);
        deq.dtype.Should().Be(ScalarType.BFloat16);
        using var deq32 = b.Dequantize();
        using var rounded = deq32.to(ScalarType.BFloat16);
        TensorAssert.Same(deq, rounded).Should().BeTrue();
    }

    [Theory]
    [InlineData(16)]
    [InlineData(48)]
    [InlineData(8192)]
    public void InvalidBlockSizesAreRejected(int blockSize)
    {
        using var x = ones(128);
        var act = () => Quantized4BitTensor.Quantize(x, QuantType.Nf4, blockSize);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*power of two from 32 to 4096*");
    }

    [Fact]
    public void NonFiniteValuesAreRejected()
    {
        using var x = tensor(new[] { 1f, float.NaN, 2f });
        var act = () => Quantized4BitTensor.Quantize(x);
        act.Should().Throw<ArgumentException>().WithMessage("*NaN or infinite*");
    }

    /// <summary>A standard normal sample (Box–Muller).</summary>
    internal static double Normal(Random random) =>
        Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
