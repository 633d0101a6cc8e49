using FluentAssertions;
using Peft.Evaluation.Rouge;
using Xunit;

namespace Peft.Tests.Evaluation.Rouge;

/// <summary>Corpus aggregation: plain mean and rouge_score's bootstrap (NumPy-compatible resampling).</summary>
public sealed class RougeAggregationTests
{
    private static readonly RougeScore[] Rows =
    [
        new(1, 0.5, 2.0 / 3), new(0, 0, 0), new(0.5, 0.5, 0.5), new(0.25, 1, 0.4), new(1, 1, 1),
    ];

    /// <summary>Each pair has rouge1 = the row and rougeL = the row's values rotated (F, P, R).</summary>
    private static List<IReadOnlyDictionary<string, RougeScore>> Pairs() =>
        Rows.Select(r => (IReadOnlyDictionary<string, RougeScore>)new Dictionary<string, RougeScore>
        {
            ["rouge1"] = r,
            ["rougeL"] = new(r.FMeasure, r.Precision, r.Recall),
        }).ToList();

    [Fact]
    public void MeanAveragesPrecisionRecallAndFSeparately()
    {
        // P: (1 + 0 + 0.5 + 0.25 + 1)/5 = 0.55; R: (0.5 + 0 + 0.5 + 1 + 1)/5 = 0.6; F: (2/3 + 0 + 0.5 + 0.4 + 1)/5 = 77/150.
        var mean = RougeAggregate.Mean(Pairs());

        mean.Keys.Should().Equal("rouge1", "rougeL");
        mean["rouge1"].Precision.Should().BeApproximately(0.55, 1e-15);
        mean["rouge1"].Recall.Should().BeApproximately(0.6, 1e-15);
        mean["rouge1"].FMeasure.Should().BeApproximately(77.0 / 150, 1e-15);
        // The mean F is not the F of the mean P and R (2·0.55·0.6/1.15 = 0.5739...).
        mean["rouge1"].FMeasure.Should().NotBeApproximately(RougeScore.FromPrecisionRecall(0.55, 0.6).FMeasure, 0.01);
    }

    [Fact]
    public void MeanRejectsEmptyOrInconsistentInput()
    {
        FluentActions.Invoking(() => RougeAggregate.Mean([])).Should().Throw<ArgumentException>().WithMessage("*zero pairs*");

        var pairs = Pairs();
        pairs.Add(new Dictionary<string, RougeScore> { ["rouge1"] = RougeScore.Zero, ["rouge2"] = RougeScore.Zero });
        FluentActions.Invoking(() => RougeAggregate.Mean(pairs))
            .Should().Throw<ArgumentException>().WithMessage("*'rougeL'*index 5*");
    }

    [Fact]
    public void MersenneTwisterDrawsWhatNumpyDraws()
    {
        // np.random.seed(0); np.random.choice(np.arange(10), size=10) -> [5 0 3 3 7 9 3 5 2 4] (NumPy 1.24).
        var random = new NumpyLegacyRandom(0);
        Enumerable.Range(0, 10).Select(_ => random.NextBounded(9)).Should().Equal(5u, 0u, 3u, 3u, 7u, 9u, 3u, 5u, 2u, 4u);
    }

    [Fact]
    public void PercentileInterpolatesLikeNumpy()
    {
        // np.percentile([1, 2, 3, 4], [0, 2.5, 25, 50, 97.5, 100]) = [1, 1.075, 1.75, 2.5, 3.925, 4]
        double[] sorted = [1, 2, 3, 4];
        double[] q = [0, 2.5, 25, 50, 97.5, 100];
        double[] expected = [1.0, 1.075, 1.75, 2.5, 3.925, 4.0];
        q.Select(p => BootstrapAggregator.Percentile(sorted, p)).Should().Equal(expected);
        // np.percentile([0.1, 0.7], [97.5, 2.5, 60]) = [0.6849999999999999, 0.115, 0.45999999999999996] (bit-exact lerp).
        double[] two = [0.1, 0.7];
        BootstrapAggregator.Percentile(two, 97.5).Should().Be(0.6849999999999999);
        BootstrapAggregator.Percentile(two, 2.5).Should().Be(0.115);
        BootstrapAggregator.Percentile(two, 60).Should().Be(0.45999999999999996);
    }

    [Fact]
    public void BootstrapEqualsRougeScoreUnderSeededNumpy()
    {
        // Golden values: rouge_score's aggregate() algorithm run on NumPy 1.24.2 after np.random.seed(0), with these
        // five pairs added in this order (rouge1 resampled first, then rougeL from the same generator).
        var result = BootstrapAggregator.Aggregate(Pairs(), new BootstrapOptions { Seed = 0 });

        result.Keys.Should().Equal("rouge1", "rougeL");
        Expect(result["rouge1"].Low, 0.2, 0.3, 0.21333333333333332);
        Expect(result["rouge1"].Mid, 0.55, 0.6, 0.5133333333333333);
        Expect(result["rouge1"].High, 0.9, 0.9, 0.8133333333333332);
        Expect(result["rougeL"].Low, 0.21333333333333332, 0.2, 0.3);
        Expect(result["rougeL"].Mid, 0.5, 0.55, 0.6);
        Expect(result["rougeL"].High, 0.78, 0.9, 0.9);

        // Seed 7, 20 resamples, 90 % interval (rouge1 only): the 5th/50th/95th percentiles.
        var rouge1Only = Pairs().Select(p => (IReadOnlyDictionary<string, RougeScore>)new Dictionary<string, RougeScore> { ["rouge1"] = p["rouge1"] });
        var small = BootstrapAggregator.Aggregate(rouge1Only, new BootstrapOptions { Seed = 7, Resamples = 20, ConfidenceInterval = 0.9 });
        Expect(small["rouge1"].Low, 0.1975, 0.3, 0.31299999999999994);
        Expect(small["rouge1"].Mid, 0.55, 0.7, 0.5366666666666666);
        Expect(small["rouge1"].High, 0.8575, 0.9050000000000001, 0.8166666666666667);

        static void Expect(RougeScore actual, double p, double r, double f)
        {
            actual.Precision.Should().BeApproximately(p, 1e-12);
            actual.Recall.Should().BeApproximately(r, 1e-12);
            actual.FMeasure.Should().BeApproximately(f, 1e-12);
        }
    }

    [Fact]
    public void SameSeedGivesTheSameIntervalAndAnotherSeedAnother()
    {
        var pairs = SyntheticPairs(200);

        var first = BootstrapAggregator.Aggregate(pairs, new BootstrapOptions { Seed = 123 });
        var again = BootstrapAggregator.Aggregate(pairs, new BootstrapOptions { Seed = 123 });
        var other = BootstrapAggregator.Aggregate(pairs, new BootstrapOptions { Seed = 124 });

        again["rouge1"].Should().Be(first["rouge1"]);
        other["rouge1"].Should().NotBe(first["rouge1"]);

        var aggregator = BootstrapAggregator.Create(new BootstrapOptions { Seed = 123 });
        foreach (var pair in pairs)
        {
            aggregator.Add(pair);
        }

        aggregator.Count.Should().Be(200);
        aggregator.Aggregate()["rouge1"].Should().Be(first["rouge1"]);
        aggregator.Aggregate()["rouge1"].Should().Be(first["rouge1"], "Aggregate reseeds on every call");
    }

    [Fact]
    public void IntervalIsOrderedAndMidIsCloseToTheMean()
    {
        var pairs = SyntheticPairs(300);
        var mean = RougeAggregate.Mean(pairs)["rouge1"];
        var interval = BootstrapAggregator.Aggregate(pairs, new BootstrapOptions { Seed = 1 })["rouge1"];

        foreach (var pick in new Func<RougeScore, double>[] { s => s.Precision, s => s.Recall, s => s.FMeasure })
        {
            pick(interval.Low).Should().BeLessThan(pick(interval.Mid));
            pick(interval.Mid).Should().BeLessThan(pick(interval.High));
            // The standard error of a mean of 300 values in [0, 1] is at most 0.029; the median of the bootstrap
            // means sits far closer to the plain mean than that.
            pick(interval.Mid).Should().BeApproximately(pick(mean), 0.005);
            pick(interval.Low).Should().BeLessThan(pick(mean));
            pick(interval.High).Should().BeGreaterThan(pick(mean));
        }
    }

    [Fact]
    public void SinglePairGivesADegenerateInterval()
    {
        // NumPy draws nothing for randint(0, 1): every resample is the one pair.
        var pair = new Dictionary<string, RougeScore> { ["rougeL"] = new(0.25, 0.5, 1.0 / 3) };
        var interval = BootstrapAggregator.Aggregate([pair])["rougeL"];
        interval.Low.Should().Be(pair["rougeL"]);
        interval.Mid.Should().Be(pair["rougeL"]);
        interval.High.Should().Be(pair["rougeL"]);
    }

    [Fact]
    public void RejectsBadOptionsAndEmptyInput()
    {
        FluentActions.Invoking(() => BootstrapAggregator.Create(new BootstrapOptions { Resamples = 0 }))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Resamples must be positive*");
        FluentActions.Invoking(() => BootstrapAggregator.Create(new BootstrapOptions { ConfidenceInterval = 1.5 }))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*ConfidenceInterval must be in*1.5*");
        FluentActions.Invoking(() => BootstrapAggregator.Create(new BootstrapOptions { ConfidenceInterval = double.NaN }))
            .Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => BootstrapAggregator.Create().Aggregate())
            .Should().Throw<InvalidOperationException>().WithMessage("*zero pairs*");
    }

    private static List<IReadOnlyDictionary<string, RougeScore>> SyntheticPairs(int count)
    {
        var random = new Random(42);
        var pairs = new List<IReadOnlyDictionary<string, RougeScore>>(count);
        for (var i = 0; i < count; i++)
        {
            var score = RougeScore.FromPrecisionRecall(random.NextDouble(), random.NextDouble());
            pairs.Add(new Dictionary<string, RougeScore> { ["rouge1"] = score });
        }

        return pairs;
    }
}
