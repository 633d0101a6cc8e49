using FluentAssertions;
using Peft.Evaluation;
using Peft.Tests.Generation;
using Peft.Tests.Support;
using Xunit;

namespace Peft.Tests.Evaluation;

public sealed class PerplexityReportTests
{
    [Fact]
    public void ReportHoldsTheResultAndRoundTrips()
    {
        using var dir = new TempDirectory();
        using var model = TinyModels.Create(TinyModels.Config(vocab: 256));
        var options = new PerplexityOptions { MaxLength = 16, Stride = 8, BatchSize = 2 };
        var result = Perplexity.Compute(model, new ByteCodec(), ["the cat sat on the mat and looked around", "x"], options);

        var report = PerplexityReport.Create(result, model, options, "texts.jsonl", "tiny", "adapter");
        report.Save(dir.File("sub/ppl.json"));
        var loaded = PerplexityReport.Load(dir.File("sub/ppl.json"));

        loaded.Perplexity.Should().Be(result.Perplexity);
        (loaded.Tokens, loaded.Windows, loaded.MaxLength, loaded.Stride).Should().Be((result.TokenCount, result.WindowCount, 16, 8));
        (loaded.Model, loaded.Adapter, loaded.Dataset, loaded.Device).Should().Be(("tiny", "adapter", "texts.jsonl", "cpu"));
        loaded.Options.Should().Be(options);
        loaded.Texts.Should().HaveCount(2);
        loaded.Texts[0].TotalNll.Should().Be(result.Examples[0].TotalNll);
        loaded.Texts[1].TokenCount.Should().Be(0);
        double.IsNaN(loaded.Texts[1].Perplexity).Should().BeTrue("a one-token text scores nothing; NaN survives as \"NaN\"");
        File.ReadAllText(dir.File("sub/ppl.json")).Should().Contain("\"format\": \"peft-perplexity-report\"").And.Contain("\"mean_nll\"");
    }

    [Fact]
    public void OtherReportsAreRejected()
    {
        var act = () => PerplexityReport.FromJson("""{"format": "peft-rouge-report", "version": 1}""", "x.json");

        act.Should().Throw<InvalidDataException>().WithMessage("x.json: expected a JSON object with \"format\": \"peft-perplexity-report\"; found \"peft-rouge-report\".");
    }

    [Theory]
    [InlineData(1, null, 8, "MaxLength must be at least 2")]
    [InlineData(16, 17, 8, "Stride must be between 1 and the window length 16; found 17.")]
    [InlineData(null, 0, 8, "Stride must be between 1")]
    [InlineData(null, null, 0, "BatchSize must be at least 1")]
    public void ValidateNamesTheBadOption(int? maxLength, int? stride, int batch, string message)
    {
        var act = () => new PerplexityOptions { MaxLength = maxLength, Stride = stride, BatchSize = batch }.Validate();

        act.Should().Throw<ArgumentException>().WithMessage("*" + message + "*");
        new PerplexityOptions { Stride = 4096 }.Validate(); // only the resolved window can reject this
    }
}
