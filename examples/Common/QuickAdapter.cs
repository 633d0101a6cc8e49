using Peft.Adapters;
using Peft.Models;
using Peft.Tokenization;
using Peft.Training;

namespace Peft.Examples;

/// <summary>Trains a small LoRA adapter on the sample data, for examples that need one when none is given.</summary>
public static class QuickAdapter
{
    /// <summary>
    /// The LoRA settings the examples use: rank 16 on every linear projection. The stand-in's output layer is random,
    /// so for it <c>lm_head</c> is trained as well (<c>modules_to_save</c>); a real model needs no such help.
    /// </summary>
    public static LoraConfig Config(bool isStandIn) => new()
    {
        R = 16,
        LoraAlpha = 32,
        TargetModulesRegex = LoraConfig.AllLinear,
        ModulesToSave = isStandIn ? ["lm_head"] : null,
    };

    /// <summary>The adapter folder given as <paramref name="args"/>[<paramref name="index"/>], or a freshly trained one.</summary>
    public static string AdapterFolder(string[] args, int index, string modelFolder, bool isStandIn)
    {
        if (args.Length > index && !string.IsNullOrWhiteSpace(args[index]))
        {
            Console.WriteLine($"Adapter: {args[index]}");
            return args[index];
        }

        var output = Path.GetFullPath("out/quick-adapter");
        Console.WriteLine($"No adapter folder given: training a small LoRA adapter on the sample data first ({output}).");
        Train(modelFolder, output, isStandIn, steps: 100);
        return output;
    }

    /// <summary>LoRA SFT on <see cref="SampleData.ChatExamples"/>; the adapter is saved in <paramref name="output"/>.</summary>
    public static TrainingResult Train(string modelFolder, string output, bool isStandIn, int steps)
    {
        var tokenizer = PretrainedTokenizer.FromPretrained(modelFolder);
        using var peft = PeftModel.Create(CausalLM.FromPretrained(modelFolder), Config(isStandIn));
        var trainer = SftTrainer.Create(new AdapterTraining(peft), tokenizer, SampleData.ChatExamples(), new SftTrainerOptions
        {
            Training = new TrainingOptions
            {
                OutputDirectory = output, MaxSteps = steps, BatchSize = 8, LearningRate = isStandIn ? 1e-2 : 2e-4, WarmupSteps = 5,
                LoggingSteps = steps, TensorBoard = false,
            },
        });
        return trainer.Train();
    }
}
