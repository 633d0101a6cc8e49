using FluentAssertions;
using Peft.Evaluation.Rouge;
using Xunit;

namespace Peft.Tests.Evaluation.Rouge;

/// <summary>RougeScorer's API: multiple references, sentence splitting, metric names, batches, argument checks.</summary>
public sealed class RougeScorerTests
{
    private const double Tolerance = 1e-12;

    [Fact]
    public void ScoreMultiKeepsTheBestReferencePerMetric()
    {
        var scorer = RougeScorer.Create(new RougeOptions { RougeTypes = ["rouge1", "rouge2", "rougeL"] });

        // pred [a b c d]. r1 = [a b c d e f g h]: rouge1 P=1 R=1/2 F=2/3; rouge2 3 of 3 / 3 of 7: F = 2(3/7)/(10/7) = 0.6;
        // rougeL LCS 4: F = 2/3. r2 = [d c b a]: rouge1 F = 1; rouge2 0; rougeL LCS 1: P = R = F = 1/4.
        // So rouge1 comes from r2 while rouge2 and rougeL come from r1.
        var best = scorer.ScoreMulti("a b c d", ["a b c d e f g h", "d c b a"]);

        best["rouge1"].Should().Be(new RougeScore(1, 1, 1));
        best["rouge2"].Precision.Should().BeApproximately(1, Tolerance);
        best["rouge2"].Recall.Should().BeApproximately(3.0 / 7, Tolerance);
        best["rouge2"].FMeasure.Should().BeApproximately(0.6, Tolerance);
        best["rougeL"].FMeasure.Should().BeApproximately(2.0 / 3, Tolerance);
        best["rougeL"].Recall.Should().BeApproximately(0.5, Tolerance);
    }

    [Fact]
    public void ScoreMultiTakesTheFirstReferenceOnATie()
    {
        var scorer = RougeScorer.Create(new RougeOptions { RougeTypes = ["rouge1"] });

        // pred [a b]: vs [a b c d] P = 1, R = 1/2; vs [a] P = 1/2, R = 1. Both F = 2/3 (bit-identical): np.argmax keeps the first.
        scorer.ScoreMulti("a b", ["a b c d", "a"])["rouge1"].Precision.Should().Be(1);
        scorer.ScoreMulti("a b", ["a", "a b c d"])["rouge1"].Precision.Should().Be(0.5);
    }

    [Fact]
    public void ScoreMultiWithOneReferenceEqualsScore()
    {
        var scorer = RougeScorer.Create();
        scorer.ScoreMulti("the cat sat", ["the cat lay down"]).Should().Equal(scorer.Score("the cat sat", "the cat lay down"));
    }

    [Fact]
    public void ScoreMultiNeedsAReference()
    {
        var scorer = RougeScorer.Create();
        FluentActions.Invoking(() => scorer.ScoreMulti("a", [])).Should().Throw<ArgumentException>().WithMessage("*at least one reference*");
        FluentActions.Invoking(() => scorer.ScoreMulti("a", ["b", null!])).Should().Throw<ArgumentNullException>().WithMessage("*index 1*");
    }

    [Fact]
    public void SplitSummariesFindsSentencesByPunctuation()
    {
        var lines = RougeScorer.Create(new RougeOptions { RougeTypes = ["rougeLsum"] });
        var split = RougeScorer.Create(new RougeOptions { RougeTypes = ["rougeLsum"], SplitSummaries = true });

        // One line each: rougeLsum = LCS([cats dogs apples pears], [apples pears cats dogs]) = 2/4.
        // Split at ". ": two sentences per side, each reference sentence fully matched by one prediction sentence -> 4/4.
        lines.Score("Cats dogs. Apples pears.", "Apples pears. Cats dogs.")["rougeLsum"].FMeasure.Should().BeApproximately(0.5, Tolerance);
        split.Score("Cats dogs. Apples pears.", "Apples pears. Cats dogs.")["rougeLsum"].FMeasure.Should().BeApproximately(1, Tolerance);
        // With SplitSummaries a newline is only whitespace (as for NLTK's sent_tokenize): one sentence each -> 2/4.
        split.Score("cats dogs\napples pears", "apples pears\ncats dogs")["rougeLsum"].FMeasure.Should().BeApproximately(0.5, Tolerance);
        // A single-letter word before a period reads as an initial ("J. Smith"), so "c d. a b." stays one sentence.
        split.Score("c d. a b.", "a b. c d.")["rougeLsum"].FMeasure.Should().BeApproximately(0.5, Tolerance);
    }

    [Theory]
    [InlineData("Mr. Smith went home. He slept!", new[] { "Mr. Smith went home.", "He slept!" })]
    [InlineData("It costs 3.5 dollars. \"Really?\" she asked.", new[] { "It costs 3.5 dollars.", "\"Really?\"", "she asked." })]
    [InlineData("J. R. R. Tolkien wrote it, e.g. The Hobbit... Then more", new[] { "J. R. R. Tolkien wrote it, e.g. The Hobbit...", "Then more" })]
    [InlineData("no end punctuation\nat all", new[] { "no end punctuation\nat all" })]
    [InlineData("  ", new string[0])]
    public void PunctuationSplitterKeepsAbbreviationsAndInitials(string text, string[] expected) =>
        SentenceSplitter.SplitPunctuation(text).Should().Equal(expected);

    [Fact]
    public void LineSplitterDropsOnlyEmptyPieces() =>
        SentenceSplitter.SplitLines("a\r\n\nb\n \n").Should().Equal("a\r", "b", " ");

    [Fact]
    public void ResultsFollowTheRequestedOrder()
    {
        var scorer = RougeScorer.Create(new RougeOptions { RougeTypes = ["rougeL", "rouge12", "rouge1"] });
        scorer.Score("a", "a").Keys.Should().Equal("rougeL", "rouge12", "rouge1");
        scorer.RougeTypes.Should().Equal("rougeL", "rouge12", "rouge1");
    }

    [Fact]
    public void DefaultsAreThoseOfHuggingFaceEvaluate()
    {
        var scorer = RougeScorer.Create();
        scorer.RougeTypes.Should().Equal("rouge1", "rouge2", "rougeL", "rougeLsum");
        scorer.Options.UseStemmer.Should().BeFalse();
        scorer.Options.SplitSummaries.Should().BeFalse();
    }

    [Theory]
    [InlineData("rougeX", "Unknown ROUGE metric 'rougeX'*")]
    [InlineData("Rouge1", "Unknown ROUGE metric 'Rouge1'*")]
    [InlineData("rougeLSum", "Unknown ROUGE metric 'rougeLSum'*")]
    [InlineData("rouge", "Unknown ROUGE metric 'rouge'*")]
    [InlineData("rouge-1", "Unknown ROUGE metric 'rouge-1'*")]
    [InlineData("rouge0", "*positive N*'rouge0'*")]
    public void RejectsUnknownMetricNames(string name, string message) =>
        FluentActions.Invoking(() => RougeScorer.Create(new RougeOptions { RougeTypes = [name] }))
            .Should().Throw<ArgumentException>().WithMessage(message);

    [Fact]
    public void RejectsRepeatedOrMissingMetricNames()
    {
        FluentActions.Invoking(() => RougeScorer.Create(new RougeOptions { RougeTypes = ["rouge1", "rouge1"] }))
            .Should().Throw<ArgumentException>().WithMessage("*'rouge1' twice*");
        FluentActions.Invoking(() => RougeScorer.Create(new RougeOptions { RougeTypes = [] }))
            .Should().Throw<ArgumentException>().WithMessage("*at least one metric*");
    }

    [Fact]
    public void ScoreBatchScoresPairsInOrder()
    {
        var scorer = RougeScorer.Create(new RougeOptions { RougeTypes = ["rouge1"] });
        var rows = scorer.ScoreBatch(["a b", "x", ""], ["a b", "y", "z"]);
        rows.Select(r => r["rouge1"].FMeasure).Should().Equal(1.0, 0.0, 0.0);

        FluentActions.Invoking(() => scorer.ScoreBatch(["a"], ["a", "b"]))
            .Should().Throw<ArgumentException>().WithMessage("*1 predictions and 2 references*");
    }

    [Fact]
    public void RejectsNullTexts()
    {
        var scorer = RougeScorer.Create();
        FluentActions.Invoking(() => scorer.Score(null!, "a")).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => scorer.Score("a", null!)).Should().Throw<ArgumentNullException>();
    }
}
