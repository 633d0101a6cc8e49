using FluentAssertions;
using Peft.Quantization;
using Xunit;
using static TorchSharp.torch;

namespace Peft.Tests.Quantization;

/// <summary>Double quantization of the 4-bit absmax values with bitsandbytes' dynamic 8-bit map.</summary>
public sealed class DoubleQuantizationTests
{
    [Fact]
    public void DynamicMapHasBitsandbytesShape()
    {
        var map = DynamicMap.Table;

        map.Should().HaveCount(256);
        map.Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        map[0].Should().Be(-0.99296875f); // the negative side stops short of −1
        map[127].Should().Be(0f);
        map[255].Should().Be(1f);
        map[254].Should().Be(0.99296875f); // midpoint of the last two of linspace(0.1, 1, 65)
        map[128].Should().BeApproximately(0.55e-6f, 1e-12f); // 0.55 · 10⁻⁶
        map[129].Should().BeApproximately(3.25e-6f, 1e-12f); // midpoints of linspace(0.1, 1, 3) · 10⁻⁵
        for (var i = 0; i < 127; i++)
        {
            map[i].Should().Be(-map[254 - i], "the map is symmetric apart from +1");
        }
    }

    [Fact]
    public void AbsmaxIsReproducedWithinItsEightBitError()
    {
        using var w = randn(200, 640, generator: new Generator(11)).mul_(0.03); // 2000 blocks of 64 → 8 nested blocks of 256
        using var plain = Quantized4BitTensor.Quantize(w, QuantType.Nf4, 64, doubleQuant: false);
        using var dq = Quantized4BitTensor.Quantize(w, QuantType.Nf4, 64, doubleQuant: true);
        using var mean = plain.Absmax!.mean();

        dq.Absmax.Should().BeNull();
        dq.AbsmaxOffset.Should().Be(mean.item<float>());
        TensorAssert.Same(dq.Packed, plain.Packed).Should().BeTrue("the 4-bit codes are computed from the exact absmax");
        var nested = dq.DoubleQuantized!;
        nested.BlockSize.Should().Be(256);
        nested.Codes.shape.Should().Equal(2000);
        nested.Absmax.shape.Should().Equal(8);

        // Reference: nested absmax = max |absmax − c| per 256, code = nearest map value of (absmax − c) · (1/absmax₂).
        var absmax = plain.Absmax!.data<float>().ToArray();
        var c = dq.AbsmaxOffset;
        var map = DynamicMap.Table;
        var codes = nested.Codes.data<byte>().ToArray();
        var absmax2 = nested.Absmax.data<float>().ToArray();
        for (var b = 0; b < 8; b++)
        {
            var block = absmax.Skip(b * 256).Take(256).Select(a => a - c).ToArray();
            absmax2[b].Should().Be(block.Max(MathF.Abs));
            var inv = 1f / absmax2[b];
            for (var i = 0; i < block.Length; i++)
            {
                var s = block[i] * inv;
                var nearest = Enumerable.Range(0, 256).MinBy(k => MathF.Abs(s - map[k]));
                codes[(b * 256) + i].Should().Be((byte)nearest);
            }
        }

        // Error bound: |absmax − â| ≤ absmax₂ · (half the largest gap of the map, including the ends at ±1).
        var half = BnbReference.HalfLargestGap(map.Append(-1f));
        using var rebuilt = dq.DequantizeAbsmax();
        var rebuiltValues = rebuilt.data<float>().ToArray();
        for (var i = 0; i < absmax.Length; i++)
        {
            MathF.Abs(absmax[i] - rebuiltValues[i]).Should().BeLessThanOrEqualTo((absmax2[i / 256] * half * 1.0001f) + 1e-7f);
        }
    }

    [Fact]
    public void DequantizationUsesTheRebuiltAbsmax()
    {
        using var w = randn(64, 512, generator: new Generator(12)).mul_(0.02);
        using var dq = Quantized4BitTensor.Quantize(w, QuantType.Fp4, 64, doubleQuant: true);
        using var codes = dq.UnpackCodes();
        using var absmax = dq.DequantizeAbsmax();
        var expected = BnbReference.Dequantize(codes.data<byte>().ToArray(), absmax.data<float>().ToArray(), 64, nf4: false);

        using var deq = dq.Dequantize();
        deq.data<float>().ToArray().Should().Equal(expected);
    }

    [Fact]
    public void Nf4WithDoubleQuantStoresAtMost4Point13BitsPerParameterOnA4096SquareWeight()
    {
        using var w = randn(4096, 4096, generator: new Generator(13)).mul_(0.02);
        using var q = Quantized4BitTensor.Quantize(w, QuantType.Nf4, 64, doubleQuant: true);

        // Actual tensor sizes: 2^24 / 2 packed bytes, 2^18 one-byte absmax codes, 2^10 float32 nested absmax + the offset.
        q.Packed.numel().Should().Be(8_388_608);
        q.DoubleQuantized!.Codes.numel().Should().Be(262_144);
        q.DoubleQuantized.Absmax.numel().Should().Be(1_024);
        var bytes = q.Packed.numel() + q.DoubleQuantized.Codes.numel() + (q.DoubleQuantized.Absmax.numel() * 4) + 4;
        q.ByteCount.Should().Be(bytes);
        (bytes * 8.0 / w.numel()).Should().BeLessThanOrEqualTo(4.13).And.BeApproximately(4.126955, 1e-6); // 4 + 8/64 + 32/16384 + offset
        (q.SerializedByteCount * 8.0 / w.numel()).Should().BeLessThanOrEqualTo(4.13, "the saved code tables and JSON add ~0.0005 bits");

        using var plain = Quantized4BitTensor.Quantize(w, QuantType.Nf4, 64, doubleQuant: false);
        plain.BitsPerElement.Should().Be(4.5);
    }
}
