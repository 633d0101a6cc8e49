using FluentAssertions;
using Peft.Quantization;
using Xunit;
using static TorchSharp.torch;

namespace Peft.Tests.Quantization;

/// <summary>LLM.int8()-style row-wise int8 quantization.</summary>
public sealed class Int8RowwiseTests
{
    [Fact]
    public void HandCheckedRows()
    {
        // Row 0: max 2 → scale 127/2 = 63.5: 1 → round(63.5) = 64 (half to even), −2 → −127, 0.5 → round(31.75) = 32.
        // Row 1: max 0.3 → 0.3·(127/0.3) = 127, −0.1 → round(−42.333) = −42, 0 → 0. Row 2 is all zero → codes 0, scale 0.
        using var w = tensor(new[] { 1f, -2f, 0.5f, 0.3f, -0.1f, 0f, 0f, 0f, 0f }).view(3, 3);
        using var q = Int8RowwiseTensor.Quantize(w);

        q.Codes.dtype.Should().Be(ScalarType.Int8);
        q.Codes.data<sbyte>().ToArray().Should().Equal(64, -127, 32, 127, -42, 0, 0, 0, 0);
        q.RowAbsmax.data<float>().ToArray().Should().Equal(2f, 0.3f, 0f);
        using var deq = q.Dequantize();
        var d = deq.data<float>().ToArray();
        d[0].Should().BeApproximately(64 * 2f / 127, 1e-6f);
        d[1].Should().Be(-2f);
        d.Skip(6).Should().OnlyContain(v => v == 0f);
    }

    [Fact]
    public void ErrorIsAtMostRowMaxOver254()
    {
        using var w = randn(48, 200, generator: new Generator(21)).mul_(linspace(0.01, 3, 48).unsqueeze(1));
        using var q = Int8RowwiseTensor.Quantize(w, threshold: 0);
        using var deq = q.Dequantize();
        using var error = (deq - w).abs().amax(new long[] { 1 });
        using var bound = q.RowAbsmax.div(254).mul_(1 + 1e-5);

        q.OutlierColumns.Should().BeNull();
        error.le(bound).all().item<bool>().Should().BeTrue();
        q.ByteCount.Should().Be((48 * 200) + (48 * 4));
    }

    [Fact]
    public void OutlierColumnsAreKeptExactlyAndLeftOutOfTheRowScale()
    {
        using var w = randn(16, 40, generator: new Generator(22)).mul_(0.1);
        w[3, 7] = tensor(9f);   // column 7 has an outlier
        w[10, 21] = tensor(-6f); // exactly the threshold counts
        using var q = Int8RowwiseTensor.Quantize(w, threshold: 6.0);

        q.OutlierColumns!.data<long>().ToArray().Should().Equal(7L, 21L);
        q.OutlierValues!.shape.Should().Equal(16, 2);
        using var codeColumns = q.Codes.index_select(1, q.OutlierColumns);
        codeColumns.abs().max().item<sbyte>().Should().Be(0);
        using var rest = w.index_fill(1, q.OutlierColumns, 0);
        using var restMax = rest.abs().amax(new long[] { 1 });
        TensorAssert.Same(q.RowAbsmax, restMax).Should().BeTrue();

        using var deq = q.Dequantize();
        using var kept = deq.index_select(1, q.OutlierColumns);
        using var original = w.index_select(1, q.OutlierColumns);
        TensorAssert.Same(kept, original).Should().BeTrue();
        using var error = (deq - w).abs().amax(new long[] { 1 });
        error.le(restMax.div(254).mul_(1 + 1e-5)).all().item<bool>().Should().BeTrue();
        q.OutlierBytes.Should().Be((16 * 2 * 4) + (2 * 8));
    }

    [Fact]
    public void RejectsNonMatrices()
    {
        using var v = ones(10);
        var act = () => Int8RowwiseTensor.Quantize(v);
        act.Should().Throw<ArgumentException>().WithMessage("*2-D*");
    }
}
