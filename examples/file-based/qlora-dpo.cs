#!/usr/bin/env dotnet
// QLoRA + DPO: load the model quantized to 4-bit NF4, attach LoRA, and train it on preference pairs.
//   dotnet run qlora-dpo.cs                              tiny stand-in model and built-in pairs (seconds)
//   dotnet run qlora-dpo.cs -- <model> [pairs.jsonl]     a Hugging Face model folder and your pairs
//                                                        ({"prompt", "chosen", "rejected"}, text or messages)
#:package TorchSharp-cpu
#:project ../../src/Peft/Peft.csproj
#:project ../Common/Peft.Examples.Common.csproj
#:property PublishAot=false

using Peft.Adapters;
using Peft.Data;
using Peft.Examples;
using Peft.Quantization;
using Peft.Tokenization;
using Peft.Training;

var (modelFolder, isStandIn) = StandIn.ModelFolder(args);
var pairs = args.Length > 1 ? PreferenceDataset.Load(args[1]).Examples : SampleData.PreferencePairs();
var tokenizer = PretrainedTokenizer.FromPretrained(modelFolder);

// Quantize every projection to NF4 (with double quantization) as the checkpoint streams in.
var model = QuantizedModel.FromPretrained(modelFolder, QuantizationConfig.Nf4());
Console.WriteLine(ModelMemoryReport.Create(model));

// LoRA on top of the frozen 4-bit base: only the adapters train (in float32).
using var peft = PeftModel.Create(model, new LoraConfig
{
    R = 16,
    LoraAlpha = 32,
    TargetModulesRegex = LoraConfig.AllLinear,
    ModulesToSave = isStandIn ? ["lm_head"] : null, // the stand-in's output layer is random: train it too
});
Console.WriteLine(peft.TrainableParametersSummary());

// DPO: the reference model is the same model with its adapters disabled; its log-probabilities are computed once.
var trainer = PreferenceTrainer.Create(new AdapterTraining(peft), tokenizer, pairs, new PreferenceTrainerOptions
{
    Method = PreferenceMethod.Dpo,
    Dpo = new DpoOptions { Beta = 0.1, LossType = DpoLossType.Sigmoid },
    PrecomputeReference = true,
    Collator = new PreferenceCollatorOptions { MaxLength = 512, MaxPromptLength = 256 },
    Training = new TrainingOptions
    {
        OutputDirectory = "out/qlora-dpo",
        MaxSteps = isStandIn ? 40 : 200,
        BatchSize = 4,
        LearningRate = isStandIn ? 5e-3 : 5e-5,
        LoggingSteps = 10,
        TensorBoard = false,
    },
});
trainer.Trainer.ProgressChanged += (_, p) => Console.WriteLine(
    $"step {p.Step,4}/{p.TotalSteps}  loss {p.Loss:F4}  reward accuracy {p.Metrics.GetValueOrDefault("rewards/accuracies"):F2}"
    + $"  margin {p.Metrics.GetValueOrDefault("rewards/margins"):F3}");
var result = trainer.Train();
Console.WriteLine($"Trained {result.Steps} steps in {result.WallTime.TotalSeconds:F1} s; adapter saved to {Path.GetFullPath(result.OutputDirectory)}");
Console.WriteLine($"Final: loss {result.FinalMetrics["loss"]:F4}, chosen reward {result.FinalMetrics["rewards/chosen"]:F3}, "
    + $"rejected reward {result.FinalMetrics["rewards/rejected"]:F3}");
