using FluentAssertions;
using Peft.Adapters;
using Peft.Data;
using Peft.Models;
using Peft.Runtime;
using Peft.Tests.Generation;
using Peft.Tests.Support;
using Peft.Training;
using Xunit;
using static TorchSharp.torch;

namespace Peft.Tests.Training;

/// <summary>The loop with real LoRA adapters: SFT memorisation and reload, and DPO's reference.</summary>
public sealed class AdapterTrainingTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private static readonly ByteCodec Codec = new() { EndOfSequenceIds = new[] { 59L } };
    private static readonly LoraConfig Lora = new() { R = 8, LoraAlpha = 16, TargetModulesRegex = LoraConfig.AllLinear };

    public void Dispose() => _dir.Dispose();

    private string SaveTinyBase()
    {
        var folder = _dir.File("base");
        using var model = TinyModels.Create(TinyModels.Config(vocab: 64), seed: 4);
        model.SavePretrained(folder);
        return folder;
    }

    private static CausalLM Load(string folder) => CausalLM.FromPretrained(folder, new ModelLoadOptions { Device = DeviceOption.Cpu });

    [Fact]
    public void LoraSftMemorisesAndTheSavedAdapterReproducesTheTrainedLogits()
    {
        var baseFolder = SaveTinyBase();
        using var peft = PeftModel.Create(Load(baseFolder), Lora);
        var examples = new[] { "the cat sat", "a dog ran", "birds sing", "we eat bread" }.Select(SftExample.FromText).ToList();
        var trainer = SftTrainer.Create(new AdapterTraining(peft), Codec, examples, new SftTrainerOptions
        {
            Training = new TrainingOptions
            {
                OutputDirectory = _dir.File("sft"), MaxSteps = 40, BatchSize = 4, LearningRate = 2e-2, LoggingSteps = 1, TensorBoard = false,
                Schedule = LearningRateSchedule.Constant,
            },
        });
        var losses = new List<double>();
        trainer.Trainer.ProgressChanged += (_, p) => losses.Add(p.Loss);
        trainer.Train();

        losses[^1].Should().BeLessThan(0.5, "40 LoRA steps memorise four short sentences (from ~4.2)");
        peft.BaseModel.named_parameters().Where(p => !p.name.Contains("lora_")).Should().OnlyContain(p => !p.parameter.requires_grad, "the base stays frozen");
        File.Exists(Path.Combine(_dir.File("sft"), "adapter_config.json")).Should().BeTrue();

        using var ids = tensor(Codec.Encode("the cat sat", true).ToArray()).unsqueeze(0);
        peft.Eval();
        using var trained = peft.Forward(ids);
        using var reloaded = PeftModel.FromPretrained(Load(baseFolder), _dir.File("sft"));
        using var again = reloaded.Forward(ids);
        (again.Logits - trained.Logits).abs().max().item<float>().Should().Be(0f);
    }

    [Fact]
    public void TheDisabledAdapterReferenceEqualsTheBaseModel()
    {
        var baseFolder = SaveTinyBase();
        using var peft = PeftModel.Create(Load(baseFolder), Lora with { InitLoraWeights = "gaussian" });
        foreach (var (name, p) in peft.TrainableParameters().Where(p => p.Name.Contains("lora_B")))
        {
            using (no_grad())
            {
                p.normal_(0, 0.5); // make the adapter change the outputs
            }
        }

        using var baseModel = Load(baseFolder);
        var collator = new PreferenceCollator(Codec);
        using var batch = collator.Collate(new[] { collator.Tokenize(PreferenceExample.FromText("ab", "cd", "ef")) }, new[] { 0 });
        var training = new AdapterTraining(peft);
        var objective = new DpoObjective(peft.BaseModel, referenceScope: training.ReferenceScope);
        var baseObjective = new DpoObjective(baseModel);

        using var guard = no_grad();
        using var reference = objective.ReferenceScores(batch);
        using var fromBase = baseObjective.SequenceScores(batch);
        using var policy = objective.SequenceScores(batch);

        (reference - fromBase).abs().max().item<float>().Should().BeLessThan(1e-5f);
        (policy - fromBase).abs().max().item<float>().Should().BeGreaterThan(1e-3f, "with the adapter on, the scores differ");
        peft.AdaptersDisabled.Should().BeFalse("the scope restores the adapters");
    }

    [Fact]
    public void PrecomputedReferenceGivesTheSameTrajectoryAsOnTheFly()
    {
        var baseFolder = SaveTinyBase();
        var pairs = Enumerable.Range(0, 8).Select(i => PreferenceExample.FromText(((char)('a' + i)).ToString() + "b", "xx" + (char)('c' + i), "zz" + (char)('c' + i))).ToList();

        Dictionary<string, float[]> Run(bool precompute, string name)
        {
            manual_seed(11); // the same random adapter initialisation in both runs
            using var peft = PeftModel.Create(Load(baseFolder), Lora);
            var trainer = PreferenceTrainer.Create(new AdapterTraining(peft), Codec, pairs, new PreferenceTrainerOptions
            {
                Training = new TrainingOptions { OutputDirectory = _dir.File(name), MaxSteps = 6, BatchSize = 4, LearningRate = 1e-2, TensorBoard = false },
                Dpo = new DpoOptions { Beta = 0.5 },
                PrecomputeReference = precompute,
            });
            trainer.Train();
            return peft.TrainableParameters().ToDictionary(p => p.Name, p => p.Parameter.detach().flatten().data<float>().ToArray());
        }

        var onTheFly = Run(false, "fly");
        var precomputed = Run(true, "pre");
        foreach (var (name, values) in precomputed)
        {
            values.Zip(onTheFly[name]).Max(p => Math.Abs(p.First - p.Second)).Should().BeLessThan(1e-5f, name);
        }
    }
}
