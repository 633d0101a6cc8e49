using FluentAssertions;
using Peft.Training;
using Xunit;
using static TorchSharp.torch;

namespace Peft.Tests.Training;

/// <summary>Preference losses against hand computations from fixed log-probabilities (tolerance 1e-6).</summary>
public sealed class PreferenceLossTests
{
    private static readonly double[] Pc = { -5.0, -7.0, -3.0 };
    private static readonly double[] Pr = { -6.0, -4.0, -3.5 };
    private static readonly double[] Rc = { -5.5, -6.5, -3.2 };
    private static readonly double[] Rr = { -5.8, -4.2, -3.1 };
    private const double Beta = 0.1;

    private static Tensor T(double[] v) => tensor(v.Select(x => (float)x).ToArray());

    private static double LogSigmoid(double x) => -Math.Log(1 + Math.Exp(-x));

    private static double H(int i) => (Pc[i] - Rc[i]) - (Pr[i] - Rr[i]);

    public static TheoryData<DpoLossType, double> Types() => new()
    {
        { DpoLossType.Sigmoid, 0.0 }, { DpoLossType.Sigmoid, 0.2 }, { DpoLossType.Ipo, 0.0 }, { DpoLossType.Hinge, 0.0 },
    };

    [Theory]
    [MemberData(nameof(Types))]
    public void DpoLossesEqualTheFormulas(DpoLossType type, double smoothing)
    {
        var (losses, chosen, rejected) = PreferenceLosses.Dpo(T(Pc), T(Pr), T(Rc), T(Rr), Beta, type, smoothing);
        var actual = losses.data<float>().ToArray();
        for (var i = 0; i < 3; i++)
        {
            var h = H(i);
            var expected = type switch
            {
                DpoLossType.Sigmoid => -(1 - smoothing) * LogSigmoid(Beta * h) - smoothing * LogSigmoid(-Beta * h),
                DpoLossType.Ipo => Math.Pow(h - 1 / (2 * Beta), 2),
                _ => Math.Max(0, 1 - Beta * h),
            };
            actual[i].Should().BeApproximately((float)expected, 1e-6f * (float)Math.Max(1, Math.Abs(expected)), $"pair {i}");
            chosen.data<float>()[i].Should().BeApproximately((float)(Beta * (Pc[i] - Rc[i])), 1e-6f);
            rejected.data<float>()[i].Should().BeApproximately((float)(Beta * (Pr[i] - Rr[i])), 1e-6f);
        }
    }

    [Fact]
    public void HandComputedValuesForThePaperExample()
    {
        // Pair 0: h = (−5 + 5.5) − (−6 + 5.8) = 0.5 + 0.2 = 0.7; β·h = 0.07.
        H(0).Should().BeApproximately(0.7, 1e-12);
        var (losses, _, _) = PreferenceLosses.Dpo(T(Pc), T(Pr), T(Rc), T(Rr), Beta, DpoLossType.Sigmoid);
        losses.data<float>()[0].Should().BeApproximately(0.6587596f, 1e-6f); // ln(1 + e^−0.07) = 0.65875959
        var (hinge, _, _) = PreferenceLosses.Dpo(T(Pc), T(Pr), T(Rc), T(Rr), Beta, DpoLossType.Hinge);
        hinge.data<float>()[0].Should().BeApproximately(0.93f, 1e-6f);
        var (ipo, _, _) = PreferenceLosses.Dpo(T(Pc), T(Pr), T(Rc), T(Rr), Beta, DpoLossType.Ipo);
        ipo.data<float>()[0].Should().BeApproximately(18.49f, 1e-5f); // (0.7 − 5)²
    }

    [Fact]
    public void MetricsUseTrlNamesAndSums()
    {
        var (_, chosen, rejected) = PreferenceLosses.Dpo(T(Pc), T(Pr), T(Rc), T(Rr), Beta, DpoLossType.Sigmoid);
        var sums = PreferenceMetrics.Sums(chosen, rejected, T(Pc), T(Pr));
        // rewards: chosen 0.05, −0.05, 0.02; rejected −0.02, 0.02, −0.04 → accuracies 1, 0, 1.
        sums["rewards/chosen"].Should().BeApproximately(0.02, 1e-6);
        sums["rewards/rejected"].Should().BeApproximately(-0.04, 1e-6);
        sums["rewards/accuracies"].Should().Be(2);
        sums["rewards/margins"].Should().BeApproximately(0.06, 1e-6);
        sums["logps/chosen"].Should().BeApproximately(-15, 1e-6);
        sums["logps/rejected"].Should().BeApproximately(-13.5, 1e-6);
    }

    [Fact]
    public void OddsRatioEqualsTheFormula()
    {
        double[] mc = { -0.5, -1.2 }, mr = { -0.9, -0.8 };
        var (loss, logOdds) = PreferenceLosses.OddsRatio(T(mc), T(mr));
        for (var i = 0; i < 2; i++)
        {
            var lo = (mc[i] - mr[i]) - (Math.Log(1 - Math.Exp(mc[i])) - Math.Log(1 - Math.Exp(mr[i])));
            logOdds.data<float>()[i].Should().BeApproximately((float)lo, 1e-6f);
            loss.data<float>()[i].Should().BeApproximately((float)-LogSigmoid(lo), 1e-6f);
        }
    }

    [Fact]
    public void SequenceLogProbsSumOnlyLabelledNextTokens()
    {
        // One row, vocab 3, three positions; labels: position 1 → token 2, position 2 → ignored.
        using var logits = tensor(new[] { 0f, 1f, 2f, 5f, 0f, 0f, 1f, 1f, 1f }, new long[] { 1, 3, 3 });
        using var labels = tensor(new long[] { -100, 2, -100 }).unsqueeze(0);
        var (sums, counts) = PreferenceLosses.SequenceLogProbs(logits, labels);
        var expected = 2 - Math.Log(Math.Exp(0) + Math.Exp(1) + Math.Exp(2)); // logits at position 0 score token 2
        sums.item<float>().Should().BeApproximately((float)expected, 1e-6f);
        counts.item<float>().Should().Be(1);
    }
}
