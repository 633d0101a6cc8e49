using FluentAssertions;
using Peft.Evaluation;
using Peft.Evaluation.Rouge;
using Peft.Generation;
using Peft.Models;
using Peft.Tests.Generation;
using Peft.Tests.Support;
using Xunit;

namespace Peft.Tests.Evaluation;

public sealed class EvaluatorTests : IDisposable
{
    private const double Exact = 1e-12;
    private readonly CausalLM _model = TinyModels.Create(TinyModels.Config(vocab: 64), seed: 3);
    private readonly ByteCodec _codec = new();

    public void Dispose() => _model.Dispose();

    private Evaluator Create(EvaluationOptions? options = null) => Evaluator.Create(_model, _codec, options);

    [Fact]
    public void FixedPredictionsGiveTheHandCheckedRouge()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("test.jsonl"), EvaluationFixtures.JsonLines());
        var dataset = EvaluationDataset.Load(dir.File("test.jsonl"));

        var report = Create(new EvaluationOptions { BatchSize = 2 })
            .Evaluate(dataset, EvaluationFixtures.Fixed(EvaluationFixtures.Predictions), null, default);

        var rows = report.Rows;
        rows.Select(r => r.Line).Should().Equal(1, 2, 4);
        rows[0].Rouge["rouge1"].Should().Be(new RougeScore(1, 0.5, 2.0 / 3));
        rows[0].Rouge["rouge2"].Precision.Should().Be(1);
        rows[0].Rouge["rouge2"].Recall.Should().BeApproximately(0.4, Exact);
        rows[0].Rouge["rouge2"].FMeasure.Should().BeApproximately(4.0 / 7, Exact);
        rows[1].Rouge["rouge1"].FMeasure.Should().BeApproximately(6.0 / 7, Exact);
        rows[1].Rouge["rouge2"].FMeasure.Should().BeApproximately(0.8, Exact);
        rows[1].Rouge["rougeL"].Recall.Should().Be(0.75);
        rows[2].Rouge.Values.Should().OnlyContain(s => s == RougeScore.Zero);

        var mean = report.Metrics.Rouge;
        mean.Keys.Should().Equal("rouge1", "rouge2", "rougeL", "rougeLsum");
        foreach (var metric in new[] { "rouge1", "rougeL", "rougeLsum" })
        {
            mean[metric].Precision.Should().BeApproximately(2.0 / 3, Exact);
            mean[metric].Recall.Should().BeApproximately(5.0 / 12, Exact);
            mean[metric].FMeasure.Should().BeApproximately(32.0 / 63, Exact);
        }

        mean["rouge2"].Recall.Should().BeApproximately(16.0 / 45, Exact);
        mean["rouge2"].FMeasure.Should().BeApproximately(16.0 / 35, Exact);
        report.Metrics.RougeInterval.Should().BeNull();
        report.Metrics.ReferencePerplexity.Should().BeNull();
        report.Metrics.GeneratedTokens.Should().Be(22);
        report.Metrics.StopReasons.Should().Equal(new Dictionary<string, int> { ["end_of_sequence"] = 1, ["length"] = 2 });
        report.Settings.Dataset.Should().Be(dir.File("test.jsonl"));
        report.Settings.Device.Should().Be("cpu");
        report.Rows[1].References.Should().Equal("a dog ran", "the dog ran fast");
    }

    [Fact]
    public void TheReportIsSavedAsJsonAndMarkdownAndRoundTrips()
    {
        using var dir = new TempDirectory();
        var options = new EvaluationOptions
        {
            Generation = new GenerationOptions { MaxNewTokens = 7, StopStrings = ["\n"] },
            Bootstrap = new BootstrapOptions { Resamples = 50, Seed = 3 },
            ModelName = "tiny-llama",
            AdapterName = "adapters/lora",
        };
        var report = Create(options).Evaluate(EvaluationFixtures.Dataset(), EvaluationFixtures.Fixed(EvaluationFixtures.Predictions), null, default);

        report.Save(dir.Path);

        Directory.GetFiles(dir.Path).Select(Path.GetFileName).Should().BeEquivalentTo(["report.json", "report.md"], "no temporary file is left");
        var json = File.ReadAllText(dir.File("report.json"));
        json.Should().Be(report.ToJson());
        var loaded = EvaluationReport.Load(dir.Path);
        loaded.ToJson().Should().Be(json);
        loaded.Metrics.Rouge["rouge2"].Should().Be(report.Metrics.Rouge["rouge2"]);
        loaded.Metrics.RougeInterval!["rouge1"].Should().Be(report.Metrics.RougeInterval!["rouge1"]);
        loaded.Rows[1].StopReason.Should().Be(StopReason.Length);
        loaded.Settings.Generation.MaxNewTokens.Should().Be(7);
        loaded.Settings.Generation.StopStrings.Should().Equal("\n");
        loaded.Settings.Timestamp.Should().Be(report.Settings.Timestamp);
        loaded.Settings.Adapter.Should().Be("adapters/lora");
        // Hugging Face names in the JSON.
        json.Should().Contain("\"max_new_tokens\": 7").And.Contain("\"rouge_types\": [").And.Contain("\"fmeasure\": ")
            .And.Contain("\"stop_reason\": \"end_of_sequence\"").And.Contain("\"format\": \"peft-evaluation-report\"");

        var markdown = File.ReadAllText(dir.File("report.md"));
        markdown.Should().Contain("| rouge1 | 66.67 | 41.67 | **50.79** |");
        markdown.Should().Contain("| rouge2 | 66.67 | 35.56 | **45.71** |");
        markdown.Should().Contain("| adapter | adapters/lora |");
        markdown.Should().Contain("| generation | greedy, max_new_tokens 7, stop strings \"\\n\", batch 8 |");
        markdown.Should().Contain("| 1 | Hi | the dog ran | a dog ran (+1) | 85.71 | 80.00 | 85.71 | 85.71 | length | 11 |");
        markdown.Should().Contain("50 resamples, 95% interval, seed 3");
    }

    [Fact]
    public void ReportJsonRejectsOtherFilesClearly()
    {
        var act = () => EvaluationReport.FromJson("{\"format\": \"peft-rouge-report\", \"version\": 1}", "x.json");
        act.Should().Throw<InvalidDataException>().WithMessage("x.json: expected a JSON object with \"format\": \"peft-evaluation-report\"; found \"peft-rouge-report\".");
        var newer = () => EvaluationReport.FromJson("{\"format\": \"peft-evaluation-report\", \"version\": 9}", "y.json");
        newer.Should().Throw<InvalidDataException>().WithMessage("*expected \"version\" 1 or lower; found 9*");
        var missing = () => EvaluationReport.Load("/nonexistent/report.json");
        missing.Should().Throw<FileNotFoundException>();
    }

    [Fact]
    public void MarkdownCellsAreEscaped()
    {
        var dataset = EvaluationDataset.Create([new EvaluationExample("a | b\nc <d>", ["x"])]);
        var report = Create().Evaluate(dataset, (p, _) => [new GeneratedSequence(1, [], StopReason.Length, "y & z")], null, default);

        report.ToMarkdown().Should().Contain("| 0 | a \\| b<br>c &lt;d&gt; | y &amp; z | x |");
    }

    [Fact]
    public void RealGenerationOnATinyModelIsScoredAsGenerated()
    {
        var options = new EvaluationOptions { Generation = new GenerationOptions { MaxNewTokens = 5, StopTokenIds = [] }, BatchSize = 3 };
        var progress = new List<EvaluationProgress>();
        var report = Create(options).Evaluate(EvaluationFixtures.Dataset(), new SyncProgress(progress));

        var expected = new TextGenerator(_model, _codec).Generate(EvaluationFixtures.Prompts, options.Generation);
        var scorer = RougeScorer.Create();
        for (var i = 0; i < 3; i++)
        {
            var row = report.Rows[i];
            row.Prediction.Should().Be(expected[i].Text);
            row.GeneratedTokens.Should().Be(5);
            row.StopReason.Should().Be(StopReason.Length);
            row.PromptTokens.Should().Be(EvaluationFixtures.Prompts[i].Length);
            row.Rouge.Should().Equal(scorer.ScoreMulti(row.Prediction, EvaluationFixtures.References[i]));
        }

        report.Metrics.GeneratedTokens.Should().Be(15);
        progress.Should().ContainSingle().Which.Should().Be(new EvaluationProgress("generation", 3, 3));
    }

    [Fact]
    public void ZeroNewTokensGivesEmptyPredictionsAndZeroRouge()
    {
        var options = new EvaluationOptions { Generation = new GenerationOptions { MaxNewTokens = 0 } };
        var report = Create(options).Evaluate(EvaluationFixtures.Dataset());

        report.Rows.Should().OnlyContain(r => r.Prediction == "" && r.GeneratedTokens == 0 && r.StopReason == StopReason.Length);
        report.Metrics.Rouge.Values.Should().OnlyContain(s => s == RougeScore.Zero);
    }

    [Fact]
    public void ReferencePerplexityIsTheConditionalPerplexityOfEveryReference()
    {
        var options = new EvaluationOptions { ComputePerplexity = true, Perplexity = new PerplexityOptions { BatchSize = 2 } };
        var report = Create(options).Evaluate(EvaluationFixtures.Dataset(), EvaluationFixtures.Fixed(EvaluationFixtures.Predictions), null, default);

        string[] prompts = ["Hello", "Hi", "Hi", "Yo"];
        string[] references = ["the cat sat on the mat", "a dog ran", "the dog ran fast", "completely different words"];
        var expected = Perplexity.ComputeConditional(_model, _codec, prompts, references);
        var ppl = report.Metrics.ReferencePerplexity!;
        ppl.Tokens.Should().Be(22 + 9 + 16 + 26);
        ppl.Perplexity.Should().BeApproximately(expected.Perplexity, expected.Perplexity * 1e-6);
        report.Rows[0].ReferenceTokens.Should().Be(22);
        report.Rows[0].ReferencePerplexity.Should().BeApproximately(expected.Examples[0].Perplexity, 1e-6 * expected.Examples[0].Perplexity);
        var both = Math.Exp((expected.Examples[1].TotalNll + expected.Examples[2].TotalNll) / 25);
        report.Rows[1].ReferenceTokens.Should().Be(25);
        report.Rows[1].ReferencePerplexity.Should().BeApproximately(both, both * 1e-6);
        report.Settings.Perplexity!.MaxLength.Should().Be(128, "the window used is recorded (max_position_embeddings here)");
        report.Settings.Perplexity.Stride.Should().Be(64);
        report.ToMarkdown().Should().Contain("Reference perplexity: **").And.Contain("over 73 reference tokens");
    }

    [Fact]
    public void AnEmptyPromptIsReportedWithItsLine()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("bad.jsonl"), "{\"prompt\": \"ok\", \"reference\": \"x\"}\n{\"prompt\": \"\", \"reference\": \"y\"}\n");
        var act = () => Create().Evaluate(EvaluationDataset.Load(dir.File("bad.jsonl")));
        act.Should().Throw<ArgumentException>().WithMessage($"{dir.File("bad.jsonl")}:2: the prompt encodes to no token*");
    }

    [Fact]
    public void CancellationStopsBetweenBatches()
    {
        using var cts = new CancellationTokenSource();
        var calls = 0;
        var act = () => Create(new EvaluationOptions { BatchSize = 1 }).Evaluate(EvaluationFixtures.Dataset(), (p, _) =>
        {
            calls++;
            cts.Cancel();
            return [new GeneratedSequence(1, [], StopReason.Length, "")];
        }, null, cts.Token);
        act.Should().Throw<OperationCanceledException>();
        calls.Should().Be(1);
    }

    [Fact]
    public void BadOptionsAreRejected()
    {
        var act = () => Create(new EvaluationOptions { BatchSize = 0 });
        act.Should().Throw<ArgumentException>().WithMessage("*BatchSize must be at least 1; found 0*");
    }

    /// <summary>IProgress that records synchronously (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SyncProgress(List<EvaluationProgress> sink) : IProgress<EvaluationProgress>
    {
        public void Report(EvaluationProgress value) => sink.Add(value);
    }
}
