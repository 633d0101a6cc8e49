using FluentAssertions;
using Peft.Models.Layers;
using Peft.Quantization;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Peft.Tests.Quantization;

/// <summary>Linear4bit / Linear8bit: forward, gradients through a LoRA-like path, no gradient to the quantized weight.</summary>
public sealed class QuantizedLinearTests
{
    private const long In = 96;
    private const long Out = 80;

    public static TheoryData<string> Kinds => new() { "nf4", "nf4-dq", "fp4", "int8" };

    private static QuantizedLinear Make(string kind, Tensor weight, Tensor? bias)
    {
        using var dense = Linear.FromTensors(weight.clone(), bias?.clone());
        return kind switch
        {
            "nf4" => Linear4bit.FromLinear(dense, QuantType.Nf4, 64),
            "nf4-dq" => Linear4bit.FromLinear(dense, QuantType.Nf4, 64, doubleQuant: true),
            "fp4" => Linear4bit.FromLinear(dense, QuantType.Fp4, 32),
            _ => Linear8bit.FromLinear(dense, threshold: 6.0),
        };
    }

    private static long Dequantizations(string kind) =>
        kind == "int8" ? Int8RowwiseTensor.Dequantizations : Quantized4BitTensor.Dequantizations;

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ForwardEqualsADenseLayerWithTheDequantizedWeight(string kind)
    {
        using var w = randn(Out, In, generator: new Generator(1)).mul_(0.05);
        using var b = randn(Out, generator: new Generator(2));
        using var layer = Make(kind, w, b);
        using var x = randn(2, 5, In, generator: new Generator(3));
        using var deq = layer.DenseWeight(ScalarType.Float32);
        using var expected = nn.functional.linear(x, deq, b);

        using var y = layer.forward(x);
        y.shape.Should().Equal(2, 5, Out);
        TensorAssert.Same(y, expected).Should().BeTrue();
        TensorAssert.RelativeError(deq, w).Should().BeLessThan(kind == "int8" ? 0.01f : 0.15f);
        using var dense = layer.ToDense(ScalarType.Float32);
        TensorAssert.Same(dense.Weight, deq).Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void GradientsReachTheAdapterAndTheInputAndMatchTheDenseComputation(string kind)
    {
        using var w = randn(Out, In, generator: new Generator(4)).mul_(0.05);
        using var b = randn(Out, generator: new Generator(5)).mul_(0.1);
        using var layer = Make(kind, w, b);
        using var deq = layer.DenseWeight(ScalarType.Float32);
        const int rank = 4;
        const double scale = 2.0; // α / r
        using var a0 = randn(rank, In, generator: new Generator(6)).mul_(0.1);
        using var b0 = randn(Out, rank, generator: new Generator(7)).mul_(0.1);
        using var x0 = randn(3, 7, In, generator: new Generator(8));
        using var target = randn(3, 7, Out, generator: new Generator(9));

        (Tensor X, Tensor A, Tensor B) Run(Func<Tensor, Tensor> baseLayer)
        {
            var x = x0.clone().requires_grad_(true);
            var a = a0.clone().requires_grad_(true);
            var bb = b0.clone().requires_grad_(true);
            using var scope = NewDisposeScope();
            var y = baseLayer(x) + (nn.functional.linear(nn.functional.linear(x, a), bb) * scale); // y = W·x + b + s·B·A·x
            var loss = (y - target).pow(2).mean();
            loss.backward();
            return (x.grad!.clone().MoveToOuterDisposeScope(), a.grad!.clone().MoveToOuterDisposeScope(), bb.grad!.clone().MoveToOuterDisposeScope());
        }

        var before = Dequantizations(kind);
        var (gx, ga, gb) = Run(layer.forward);
        (Dequantizations(kind) - before).Should().Be(2, "forward dequantizes once and backward dequantizes again instead of keeping the weight");
        var (ex, ea, eb) = Run(x => nn.functional.linear(x, deq, b));

        TensorAssert.RelativeError(gx, ex).Should().BeLessThan(1e-5f);
        TensorAssert.RelativeError(ga, ea).Should().BeLessThan(1e-5f);
        TensorAssert.RelativeError(gb, eb).Should().BeLessThan(1e-5f);
        gx.abs().sum().item<float>().Should().BeGreaterThan(0f);
        foreach (var t in new[] { gx, ga, gb, ex, ea, eb })
        {
            t.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void NoGradientReachesTheQuantizedWeight(string kind)
    {
        using var w = randn(Out, In, generator: new Generator(10)).mul_(0.05);
        using var b = zeros(Out);
        using var layer = Make(kind, w, b);

        layer.parameters().Should().ContainSingle().Which.requires_grad.Should().BeFalse("only the frozen bias is a parameter");
        var state = layer switch
        {
            Linear4bit l4 => new[] { l4.Weight!.Packed, l4.Weight.Absmax ?? l4.Weight.DoubleQuantized!.Codes },
            Linear8bit l8 => new[] { l8.Weight!.Codes, l8.Weight.RowAbsmax },
            _ => throw new InvalidOperationException(),
        };
        using var x = randn(4, In).requires_grad_(true);
        using var y = layer.forward(x);
        y.requires_grad.Should().BeTrue();
        using var loss = y.sum();
        loss.backward();

        x.grad.Should().NotBeNull();
        foreach (var t in state)
        {
            t.requires_grad.Should().BeFalse();
            t.grad.Should().BeNull();
        }
    }

    [Fact]
    public void InferenceDoesNotBuildAGraph()
    {
        using var w = randn(Out, In).mul_(0.05);
        using var layer = Make("nf4", w, null);
        using var x = randn(2, In);

        var before = Quantized4BitTensor.Dequantizations;
        using var y = layer.forward(x);
        y.requires_grad.Should().BeFalse();
        (Quantized4BitTensor.Dequantizations - before).Should().Be(1);
    }

    [Fact]
    public void ComputeDtypeIsUsedForTheProductAndTheOutputKeepsTheInputDtype()
    {
        using var w = randn(Out, In, generator: new Generator(11)).mul_(0.05);
        using var dense = Linear.FromTensors(w.clone(), null);
        using var bf16 = Linear4bit.FromLinear(dense, QuantType.Nf4, 64, computeType: ScalarType.BFloat16);
        using var f32 = Linear4bit.FromLinear(dense, QuantType.Nf4, 64);
        using var x = randn(3, In, generator: new Generator(12));

        using var a = bf16.forward(x);
        using var e = f32.forward(x);
        a.dtype.Should().Be(ScalarType.Float32);
        TensorAssert.RelativeError(a, e).Should().BeLessThan(0.02f).And.BeGreaterThan(0f);
    }

    [Fact]
    public void CheckpointSinkExpectsTheDenseShapesAndRejectsOthers()
    {
        using var layer = Linear4bit.Create(In, Out, hasBias: true, QuantType.Nf4, 64, doubleQuant: true);

        layer.IsLoaded.Should().BeFalse();
        layer.ExpectedTensors.Select(e => (e.Name, string.Join("x", e.Shape))).Should().Equal(("weight", "80x96"), ("bias", "80"));
        using var x = randn(1, In);
        var early = () => layer.forward(x);
        early.Should().Throw<InvalidOperationException>().WithMessage("*no weight yet*");

        using var wrong = zeros(In, Out);
        var badShape = () => layer.LoadCheckpointTensor("weight", wrong);
        badShape.Should().Throw<ArgumentException>().WithMessage("*[80, 96]*found [96, 80]*");
        using var w = randn(Out, In).to(ScalarType.BFloat16);
        var badName = () => layer.LoadCheckpointTensor("scale", w);
        badName.Should().Throw<ArgumentException>().WithMessage("*weight and bias*'scale'*");

        layer.LoadCheckpointTensor("weight", w);
        layer.IsLoaded.Should().BeTrue();
        layer.Weight!.OriginalDType.Should().Be(ScalarType.BFloat16);
        layer.WeightBytes.Should().Be(layer.Weight.ByteCount);
    }
}
