using System.Text.Json.Nodes;
using FluentAssertions;
using Peft.Data;
using Peft.Models;
using Peft.Tests.Generation;
using Peft.Tests.Support;
using Peft.Training;
using Xunit;
using static TorchSharp.torch;

namespace Peft.Tests.Training;

/// <summary>The shared loop on a tiny model whose linear weights train directly.</summary>
public sealed class TrainerTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private static readonly ByteCodec Codec = new() { EndOfSequenceIds = new[] { 59L } };

    public void Dispose() => _dir.Dispose();

    private static readonly string[] Sentences =
    {
        "the cat sat on the mat", "a dog ran far", "birds sing at dawn", "rain falls on the hills",
        "we eat bread", "she reads books", "he plays chess", "stars shine at night",
    };

    private static SftTrainingData Data(int batchSize, SftCollatorOptions? collatorOptions = null, int evalCount = 0)
    {
        var collator = new SftCollator(Codec, collatorOptions);
        var examples = Sentences.Select(s => collator.Tokenize(SftExample.FromText(s))).ToList();
        return new SftTrainingData(collator, examples, examples.Take(evalCount).ToList(), batchSize, seed: 7);
    }

    private static (CausalLM Model, FullFineTune Trainable) NewModel()
    {
        var model = TinyModels.Create(TinyModels.Config(layers: 2, hidden: 32, vocab: 64), seed: 5);
        return (model, new FullFineTune(model, name => name.Contains("proj.weight")));
    }

    private TrainingOptions Options(string name, int steps, int batch = 2, int accumulation = 1, double lr = 1e-2) => new()
    {
        OutputDirectory = _dir.File(name),
        MaxSteps = steps,
        BatchSize = batch,
        GradientAccumulationSteps = accumulation,
        LearningRate = lr,
        Schedule = LearningRateSchedule.Cosine,
        WarmupSteps = 2,
        WeightDecay = 0.01,
        LoggingSteps = 1,
        SaveTotalLimit = 0,
        TensorBoard = false,
    };

    [Fact]
    public void MemorisesASmallDatasetAndWritesItsReports()
    {
        var (model, trainable) = NewModel();
        using var _ = model;
        var reports = new List<TrainingProgress>();
        var trainer = new Trainer<SftBatch>(trainable, new SftObjective(model), Data(4, evalCount: 2), Options("memorise", 60) with { EvalSteps = 30 });
        trainer.ProgressChanged += (_, p) => reports.Add(p);

        var result = trainer.Run();

        var losses = reports.Where(r => r.Kind == "train").Select(r => r.Loss).ToList();
        losses[0].Should().BeGreaterThan(3.0, "a random model is far from the data");
        losses[^1].Should().BeLessThan(0.4, "60 steps memorise eight short sentences");
        result.Steps.Should().Be(60);
        result.FinalMetrics["eval_loss"].Should().BeLessThan(0.6);
        result.FinalMetrics["eval_perplexity"].Should().BeApproximately(Math.Exp(result.FinalMetrics["eval_loss"]), 1e-9);
        var lines = File.ReadAllLines(Path.Combine(result.OutputDirectory, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
        lines.Count(l => l["kind"]!.GetValue<string>() == "train").Should().Be(60);
        lines.Count(l => l["kind"]!.GetValue<string>() == "eval").Should().Be(2);
        lines[0]["learning_rate"]!.GetValue<double>().Should().Be(0, "the first warmup step has learning rate 0, as in transformers");
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(result.OutputDirectory, "training_summary.json")))!;
        summary["steps"]!.GetValue<long>().Should().Be(60);
        summary["data"]!["train_examples"]!.GetValue<int>().Should().Be(8);
        File.Exists(Path.Combine(result.OutputDirectory, "weights.safetensors")).Should().BeTrue("the final adapter is saved");
    }

    [Fact]
    public void ResumingGivesBitIdenticalWeightsToAnUninterruptedRun()
    {
        var (straightModel, straight) = NewModel();
        using var a = straightModel;
        new Trainer<SftBatch>(straight, new SftObjective(straightModel), Data(3), Options("straight", 8)).Run();

        // The same 8-step plan, interrupted after step 4 (cancellation saves checkpoint-4).
        var (firstModel, first) = NewModel();
        using var b = firstModel;
        using var cts = new CancellationTokenSource();
        var interrupted = new Trainer<SftBatch>(first, new SftObjective(firstModel), Data(3), Options("resumed", 8));
        interrupted.ProgressChanged += (_, p) =>
        {
            if (p.Kind == "train" && p.Step == 4)
            {
                cts.Cancel();
            }
        };
        interrupted.Run(cancellationToken: cts.Token).Steps.Should().Be(4);

        var (secondModel, second) = NewModel(); // fresh weights: everything must come from the checkpoint
        using var c = secondModel;
        var resumed = new Trainer<SftBatch>(second, new SftObjective(secondModel), Data(3), Options("resumed", 8)).Run(resumeFrom: "latest");

        resumed.Steps.Should().Be(8);
        var expected = straight.Snapshot();
        foreach (var (name, values) in second.Snapshot())
        {
            values.Should().Equal(expected[name], name);
        }

        var steps = File.ReadAllLines(Path.Combine(_dir.File("resumed"), "metrics.jsonl"))
            .Select(l => JsonNode.Parse(l)!).Where(l => l["kind"]!.GetValue<string>() == "train").Select(l => l["step"]!.GetValue<long>());
        steps.Should().Equal(1, 2, 3, 4, 5, 6, 7, 8);
    }

    [Fact]
    public void AccumulatingMicroBatchesMatchesOneBigBatch()
    {
        var (bigModel, big) = NewModel();
        using var a = bigModel;
        new Trainer<SftBatch>(big, new SftObjective(bigModel), Data(4), Options("big", 3, batch: 4)).Run();

        var (smallModel, small) = NewModel();
        using var b = smallModel;
        new Trainer<SftBatch>(small, new SftObjective(smallModel), Data(2), Options("small", 3, batch: 2, accumulation: 2)).Run();

        // Same examples per step (the shuffled order is the same), tokens weighted the same way.
        var expected = big.Snapshot();
        foreach (var (name, values) in small.Snapshot())
        {
            values.Zip(expected[name]).Max(p => Math.Abs(p.First - p.Second)).Should().BeLessThan(1e-5f, name);
        }
    }

    [Fact]
    public void CancellationStopsAtAStepBoundaryAndLeavesALoadableCheckpoint()
    {
        var (model, trainable) = NewModel();
        using var _ = model;
        using var cts = new CancellationTokenSource();
        var trainer = new Trainer<SftBatch>(trainable, new SftObjective(model), Data(2), Options("cancel", 50));
        trainer.ProgressChanged += (_, p) =>
        {
            if (p.Kind == "train" && p.Step == 3)
            {
                cts.Cancel();
            }
        };

        var result = trainer.Run(cancellationToken: cts.Token);

        result.Cancelled.Should().BeTrue();
        result.Steps.Should().Be(3);
        result.LastCheckpoint.Should().EndWith("checkpoint-3");
        var (other, otherTrainable) = NewModel();
        using var __ = other;
        var resumed = new Trainer<SftBatch>(otherTrainable, new SftObjective(other), Data(2), Options("cancel", 5)).Run(resumeFrom: result.LastCheckpoint);
        resumed.Steps.Should().Be(5);
    }

    private sealed class NaNAfter(SftObjective inner, int calls) : ITrainingObjective<SftBatch>
    {
        private int _count;

        public ObjectiveResult Compute(SftBatch batch, bool training)
        {
            var result = inner.Compute(batch, training);
            return ++_count > calls ? result with { LossSum = result.LossSum * float.NaN } : result;
        }

        public IReadOnlyDictionary<string, double> EvalSummary(double evalLoss, IReadOnlyDictionary<string, double> evalMetrics) =>
            inner.EvalSummary(evalLoss, evalMetrics);
    }

    [Fact]
    public void ANaNLossStopsWithTheStepAndBatchAndSavesNothing()
    {
        var (model, trainable) = NewModel();
        using var _ = model;
        var trainer = new Trainer<SftBatch>(trainable, new NaNAfter(new SftObjective(model), 5), Data(2), Options("nan", 20) with { SaveSteps = 1 });

        var act = () => trainer.Run();

        var ex = act.Should().Throw<TrainingDivergedException>().Which;
        ex.Step.Should().Be(6);
        ex.Epoch.Should().Be(1);
        ex.BatchIndex.Should().Be(1);
        ex.Message.Should().Contain("loss = NaN");
        Directory.GetDirectories(_dir.File("nan"), "checkpoint-*").Select(Path.GetFileName).Should().NotContain("checkpoint-6");
    }

    [Fact]
    public void KeepsOnlyTheLastCheckpoints()
    {
        var (model, trainable) = NewModel();
        using var _ = model;
        new Trainer<SftBatch>(trainable, new SftObjective(model), Data(2), Options("keep", 6) with { SaveSteps = 1, SaveTotalLimit = 2 }).Run();
        Directory.GetDirectories(_dir.File("keep"), "checkpoint-*").Select(Path.GetFileName).Should().BeEquivalentTo("checkpoint-5", "checkpoint-6");
        Directory.GetDirectories(_dir.File("keep"), ".*").Should().BeEmpty("no temporary checkpoint folders remain");
    }

    [Fact]
    public void LearningRateSchedulesFollowTransformers()
    {
        LearningRates.At(LearningRateSchedule.Linear, 1.0, 0, 10, 110).Should().Be(0);
        LearningRates.At(LearningRateSchedule.Linear, 1.0, 5, 10, 110).Should().Be(0.5);
        LearningRates.At(LearningRateSchedule.Linear, 1.0, 60, 10, 110).Should().Be(0.5);
        LearningRates.At(LearningRateSchedule.Cosine, 1.0, 60, 10, 110).Should().BeApproximately(0.5, 1e-12);
        LearningRates.At(LearningRateSchedule.Cosine, 1.0, 35, 10, 110).Should().BeApproximately(0.5 * (1 + Math.Cos(Math.PI * 0.25)), 1e-12);
        LearningRates.At(LearningRateSchedule.Constant, 1.0, 100, 10, 110).Should().Be(1.0);
    }

    [Fact]
    public void BadOptionsAreNamed()
    {
        var (model, trainable) = NewModel();
        using var _ = model;
        var act = () => new Trainer<SftBatch>(trainable, new SftObjective(model), Data(2), Options("bad", 5) with { GradientAccumulationSteps = 0 });
        act.Should().Throw<ArgumentException>().WithMessage("GradientAccumulationSteps must be at least 1; found 0.");
    }
}
