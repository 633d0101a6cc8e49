using FluentAssertions;
using Peft.Adapters;
using Peft.Models.Layers;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using Linear = Peft.Models.Layers.Linear;

namespace Peft.Tests.Adapters;

/// <summary>The layer's math against the formulas written out with plain tensor operations.</summary>
public sealed class LoraLinearTests
{
    private const int In = 24;
    private const int Out = 16;

    private static Linear DenseBase(long seed = 5, bool bias = true)
    {
        using var g = new Generator((ulong)seed);
        return Linear.FromTensors(randn(new long[] { Out, In }, generator: g) * 0.3, bias ? randn(new long[] { Out }, generator: g) : null);
    }

    private static (LoraLinear Layer, LoraAdapterWeights W) Wrap(nn.Module<Tensor, Tensor> baseLayer, LoraConfig config, int rank = 4, double alpha = 8, long seed = 9)
    {
        manual_seed(seed);
        var layer = new LoraLinear(baseLayer);
        var w = LoraAdapterWeights.Create(layer.Base, CPU, rank, alpha, config);
        using (no_grad())
        {
            using var g = new Generator((ulong)seed);
            w.B.copy_(randn(w.B.shape, generator: g) * 0.5);
        }

        layer.AddAdapter("a", w);
        layer.ActiveAdapter = "a";
        layer.eval();
        return (layer, w);
    }

    private static Tensor Input(long seed = 1)
    {
        using var g = new Generator((ulong)seed);
        return randn(new long[] { 2, 3, In }, generator: g);
    }

    [Theory]
    [InlineData(false, 2.0)]          // s = α/r = 8/4
    [InlineData(true, 4.0)]           // s = α/√r = 8/2
    public void ForwardIsBasePlusScaledLowRankUpdate(bool rslora, double scaling)
    {
        var dense = DenseBase();
        var (layer, w) = Wrap(dense, new LoraConfig { UseRslora = rslora });
        using var x = Input();

        using var y = layer.forward(x);
        using var expected = x.matmul(dense.Weight.t()) + dense.Bias! + scaling * x.matmul(w.A.t()).matmul(w.B.t());

        w.Scaling.Should().Be(scaling);
        AdapterCases.MaxDiff(y, expected).Should().BeLessThan(1e-5f);
        layer.Dispose();
    }

    [Fact]
    public void DoraForwardScalesTheAdaptedWeightByMagnitudeOverRowNorm()
    {
        var dense = DenseBase();
        var (layer, w) = Wrap(dense, new LoraConfig { UseDora = true });
        using (no_grad())
        {
            w.Magnitude!.mul_(1.3);
        }

        using var x = Input();
        using var y = layer.forward(x);
        using var adapted = dense.Weight + 2.0 * w.B.mm(w.A);
        using var expectedWeight = w.Magnitude!.unsqueeze(1) * adapted / adapted.norm(1, true, 2);
        using var expected = x.matmul(expectedWeight.t()) + dense.Bias!;

        AdapterCases.MaxDiff(y, expected).Should().BeLessThan(1e-5f);
        using var effective = layer.DenseWeight(ScalarType.Float32);
        AdapterCases.MaxDiff(effective, expectedWeight).Should().BeLessThan(1e-5f);
        layer.Dispose();
    }

    [Fact]
    public void DoraTreatsTheRowNormAsAConstantInTheBackwardPass()
    {
        var dense = DenseBase();
        var (layer, w) = Wrap(dense, new LoraConfig { UseDora = true });
        w.SetRequiresGrad(true);
        using var x = Input();
        using var probe = Input(seed: 4).narrow(2, 0, Out);

        using (var y = layer.forward(x))
        using (var loss = (y * probe).sum())
        {
            loss.backward();
        }

        var (gradA, gradB, gradM) = (w.A.grad!.clone(), w.B.grad!.clone(), w.Magnitude!.grad!.clone());
        var a = w.A.detach().clone().requires_grad_(true);
        var b = w.B.detach().clone().requires_grad_(true);
        var m = w.Magnitude!.detach().clone().requires_grad_(true);
        var adapted = dense.Weight + 2.0 * b.mm(a);
        var norm = adapted.norm(1, true, 2).detach();
        using (var loss = ((x.matmul((m.unsqueeze(1) * adapted / norm).t()) + dense.Bias!) * probe).sum())
        {
            loss.backward();
        }

        AdapterCases.MaxDiff(gradA, a.grad!).Should().BeLessThan(1e-4f);
        AdapterCases.MaxDiff(gradB, b.grad!).Should().BeLessThan(1e-4f);
        AdapterCases.MaxDiff(gradM, m.grad!).Should().BeLessThan(1e-4f);
        layer.Dispose();
    }

    [Fact]
    public void DropoutActsOnTheAdapterInputInTrainingModeOnly()
    {
        var dense = DenseBase();
        var (layer, w) = Wrap(dense, new LoraConfig { LoraDropout = 0.5 });
        using var x = Input();
        using var evalY = layer.forward(x);
        using var noDropout = x.matmul(dense.Weight.t()) + dense.Bias! + 2.0 * x.matmul(w.A.t()).matmul(w.B.t());
        AdapterCases.MaxDiff(evalY, noDropout).Should().BeLessThan(1e-5f);

        layer.train();
        manual_seed(3);
        using var train1 = layer.forward(x);
        using var train2 = layer.forward(x);
        AdapterCases.MaxDiff(train1, noDropout).Should().BeGreaterThan(1e-3f);
        AdapterCases.MaxDiff(train1, train2).Should().BeGreaterThan(1e-3f, "a new mask each call");

        // The base path never sees dropout: with the adapter removed the output is the base output exactly.
        layer.RemoveAdapter("a");
        using var baseOnly = layer.forward(x);
        using var expected = dense.forward(x);
        AdapterCases.MaxDiff(baseOnly, expected).Should().Be(0);
        layer.Dispose();
    }

    [Theory]
    [InlineData("true")]
    [InlineData("gaussian")]
    [InlineData("false")]
    public void InitialisationFollowsPeft(string init)
    {
        manual_seed(1);
        using var dense = Linear.FromTensors(zeros(256, 512), null);
        const int rank = 8;
        using var w = LoraAdapterWeights.Create(dense, CPU, rank, 16, new LoraConfig { InitLoraWeights = init });

        var bound = 1 / Math.Sqrt(512); // Kaiming-uniform with a = √5 on fan-in 512
        switch (init)
        {
            case "true":
                w.A.abs().max().item<float>().Should().BeLessThanOrEqualTo((float)bound).And.BeGreaterThan((float)(0.9 * bound));
                w.B.abs().max().item<float>().Should().Be(0);
                break;
            case "gaussian":
                w.A.std().item<float>().Should().BeApproximately(1f / rank, 0.01f);
                w.A.mean().item<float>().Should().BeApproximately(0, 0.005f);
                w.B.abs().max().item<float>().Should().Be(0);
                break;
            default:
                w.A.abs().max().item<float>().Should().BeLessThanOrEqualTo((float)bound);
                w.B.abs().max().item<float>().Should().BeLessThanOrEqualTo((float)(1 / Math.Sqrt(rank))).And.BeGreaterThan(0.2f);
                break;
        }
    }

    [Fact]
    public void WrapsAnyLinearLayerImplementationAndMergesItOnlyOnUnload()
    {
        var quantized = new HalfPrecisionLinear(DenseBase());
        var (layer, w) = Wrap(quantized, new LoraConfig());
        using var x = Input();

        using var y = layer.forward(x);
        using var baseWeight = quantized.DenseWeight(ScalarType.Float32);
        using var expected = x.matmul(baseWeight.t()) + quantized.Bias! + 2.0 * x.matmul(w.A.t()).matmul(w.B.t());
        AdapterCases.MaxDiff(y, expected).Should().BeLessThan(1e-5f);
        layer.InFeatures.Should().Be(In);
        layer.OutFeatures.Should().Be(Out);

        var merge = () => layer.Merge();
        merge.Should().Throw<NotSupportedException>().WithMessage("*HalfPrecisionLinear*MergeAndUnload*");
        using var effective = layer.DenseWeight(ScalarType.Float32);
        using var expectedWeight = baseWeight + 2.0 * w.B.mm(w.A);
        AdapterCases.MaxDiff(effective, expectedWeight).Should().BeLessThan(1e-6f);
        layer.Dispose();
    }

    [Fact]
    public void MergedLayerComputesTheBaseOnlyAndUnmergeRestoresIt()
    {
        var dense = DenseBase();
        using var original = dense.Weight.detach().clone();
        var (layer, w) = Wrap(dense, new LoraConfig());
        using var x = Input();
        using var unmerged = layer.forward(x);

        layer.Merge().Should().BeTrue();
        layer.Merge().Should().BeFalse("a second merge does nothing");
        using var merged = layer.forward(x);
        using var expectedWeight = original + 2.0 * w.B.mm(w.A);
        AdapterCases.MaxDiff(dense.Weight, expectedWeight).Should().BeLessThan(1e-6f);
        AdapterCases.MaxDiff(merged, unmerged).Should().BeLessThan(1e-5f);

        layer.Unmerge().Should().BeTrue();
        layer.Unmerge().Should().BeFalse();
        AdapterCases.MaxDiff(dense.Weight, original).Should().BeLessThan(1e-6f);
        layer.Dispose();
    }

    /// <summary>A non-<see cref="Linear"/> base: weights stored as float16 and dequantized on use, like a quantized layer.</summary>
    internal sealed class HalfPrecisionLinear : nn.Module<Tensor, Tensor>, ILinearLayer
    {
        private readonly TorchSharp.Modules.Parameter _weight;
        private readonly TorchSharp.Modules.Parameter? _bias;

        public HalfPrecisionLinear(Linear dense)
            : this(dense.Weight.detach().to(ScalarType.Float16), dense.Bias?.detach().clone())
        {
        }

        public HalfPrecisionLinear(Tensor weight, Tensor? bias)
            : base("HalfPrecisionLinear")
        {
            _weight = new TorchSharp.Modules.Parameter(weight, requires_grad: false);
            _bias = bias is null ? null : new TorchSharp.Modules.Parameter(bias, requires_grad: false);
            register_parameter("weight", _weight);
            if (_bias is not null)
            {
                register_parameter("bias", _bias);
            }
        }

        public long InFeatures => _weight.shape[1];

        public long OutFeatures => _weight.shape[0];

        public TorchSharp.Modules.Parameter? Bias => _bias;

        public Tensor DenseWeight(ScalarType dtype) => _weight.detach().to(dtype, copy: true);

        public override Tensor forward(Tensor input)
        {
            using var w = _weight.to(input.dtype);
            return nn.functional.linear(input, w, _bias);
        }
    }
}
