using FluentAssertions;
using Peft.Data;
using Peft.Tests.Generation;
using Peft.Tests.Support;
using Peft.Training;
using Xunit;
using static TorchSharp.torch;

namespace Peft.Tests.Training;

public sealed class PreferenceTrainingTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private static readonly ByteCodec Codec = new() { EndOfSequenceIds = new[] { 59L } };

    public void Dispose() => _dir.Dispose();

    /// <summary>Prompts of three letters; the chosen reply starts with "xx", the rejected one with "zz".</summary>
    private static PreferenceTrainingData Data(PreferenceCollator collator)
    {
        var random = new Random(3);
        string Word(int n) => new(Enumerable.Range(0, n).Select(_ => (char)('a' + random.Next(20))).ToArray());
        var pairs = Enumerable.Range(0, 16).Select(_ =>
        {
            var (prompt, tail) = (Word(3), Word(2));
            return collator.Tokenize(PreferenceExample.FromText(prompt, "xx" + tail, "zz" + tail));
        }).ToList();
        return new PreferenceTrainingData(collator, pairs, pairs.Take(4).ToList(), batchSize: 4, seed: 1);
    }

    [Fact]
    public void DpoLearnsTheSyntheticPreference()
    {
        using var model = TinyModels.Create(TinyModels.Config(vocab: 64), seed: 9);
        var trainable = new FullFineTune(model, n => n.Contains("proj.weight"));
        var objective = new DpoObjective(model, new DpoOptions { Beta = 0.5 });
        var data = Data(new PreferenceCollator(Codec));
        using (no_grad())
        {
            data.SetReference(objective.SequenceScores); // the untrained model is the reference
        }

        var reports = new List<TrainingProgress>();
        var trainer = new Trainer<PreferenceBatch>(trainable, objective, data, new TrainingOptions
        {
            OutputDirectory = _dir.File("dpo"), MaxSteps = 24, BatchSize = 4, LearningRate = 5e-3, LoggingSteps = 1, TensorBoard = false,
            Schedule = LearningRateSchedule.Constant,
        });
        trainer.ProgressChanged += (_, p) => reports.Add(p);
        var result = trainer.Run();

        var train = reports.Where(r => r.Kind == "train").ToList();
        train[0].Metrics["rewards/accuracies"].Should().BeLessThanOrEqualTo(0.5, "policy = reference at the first step, so every reward is 0");
        train[0].Metrics["loss"].Should().BeApproximately(Math.Log(2), 1e-5, "−log σ(0) before any update");
        train.TakeLast(3).Should().OnlyContain(r => r.Metrics["rewards/accuracies"] > 0.9);
        train[^1].Metrics["rewards/margins"].Should().BeGreaterThan(train[1].Metrics["rewards/margins"] + 0.5);
        result.FinalMetrics["eval_rewards/accuracies"].Should().BeGreaterThan(0.9);
        result.FinalMetrics.Keys.Should().Contain(new[] { "rewards/chosen", "rewards/rejected", "logps/chosen", "logps/rejected" });
    }

    [Fact]
    public void OrpoLearnsTheSyntheticPreferenceWithoutAReference()
    {
        using var model = TinyModels.Create(TinyModels.Config(vocab: 64), seed: 9);
        var trainable = new FullFineTune(model, n => n.Contains("proj.weight"));
        var reports = new List<TrainingProgress>();
        var trainer = new Trainer<PreferenceBatch>(trainable, new OrpoObjective(model, beta: 0.5), Data(new PreferenceCollator(Codec)), new TrainingOptions
        {
            OutputDirectory = _dir.File("orpo"), MaxSteps = 24, BatchSize = 4, LearningRate = 5e-3, LoggingSteps = 1, TensorBoard = false,
            Schedule = LearningRateSchedule.Constant,
        });
        trainer.ProgressChanged += (_, p) => reports.Add(p);
        trainer.Run();

        var train = reports.Where(r => r.Kind == "train").ToList();
        train[^1].Metrics["nll_loss"].Should().BeLessThan(train[0].Metrics["nll_loss"] / 2, "ORPO also does supervised learning on the chosen replies");
        train.TakeLast(3).Should().OnlyContain(r => r.Metrics["rewards/accuracies"] > 0.9);
        train[^1].Metrics["log_odds_chosen"].Should().BeGreaterThan(train[0].Metrics["log_odds_chosen"]);
    }

    [Fact]
    public void ConcatenatedBatchPutsChosenRowsFirstAndLabelsOnlyCompletions()
    {
        var collator = new PreferenceCollator(Codec);
        var pair = collator.Tokenize(PreferenceExample.FromText("ab", "cd", "e"));
        pair.PromptIds.Should().Equal(0, 1);
        pair.ChosenIds.Should().Equal(2, 3, 59);
        pair.RejectedIds.Should().Equal(4, 59);
        using var batch = collator.Collate(new[] { pair }, new[] { 0 });
        batch.InputIds[0].data<long>().ToArray().Should().Equal(0, 1, 2, 3, 59);
        batch.InputIds[1].data<long>().ToArray().Should().Equal(0, 1, 4, 59, 0);
        batch.Labels[1].data<long>().ToArray().Should().Equal(-100, -100, 4, 59, -100);
        batch.AttentionMask[1].data<long>().ToArray().Should().Equal(1, 1, 1, 1, 0);
        batch.Pairs.Should().Be(1);
        batch.Weight.Should().Be(1);
    }

    [Fact]
    public void LongPromptsKeepTheirEnd()
    {
        var collator = new PreferenceCollator(Codec, new PreferenceCollatorOptions { MaxLength = 6, MaxPromptLength = 3 });
        var pair = collator.Tokenize(PreferenceExample.FromText("abcdef", "gh", "ij"));
        pair.PromptIds.Should().Equal(3, 4, 5);
        pair.ChosenIds.Should().Equal(6, 7, 59);
    }
}
