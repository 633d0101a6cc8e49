namespace Peft.Tests.Packaging;

/// <summary>The Program.cs a new user writes after <c>dotnet add package Peft</c>: a tiny fine-tune from scratch.</summary>
internal static class NewUserProgram
{
    public const string Source = """
        using Peft.Adapters;
        using Peft.Data;
        using Peft.Generation;
        using Peft.Models;
        using Peft.Runtime;
        using Peft.Tokenization;
        using Peft.Training;
        using static TorchSharp.torch;

        // A tiny model folder (tokenizer + random Llama), as a stand-in for a downloaded one.
        var work = Path.GetFullPath("work");
        var modelFolder = Path.Combine(work, "tiny-model");
        string[] texts = ["The cat sat on the mat.", "The dog ran in the park.", "A bird sang in the old tree."];
        ByteLevelBpeTrainer.Train(texts, 300, modelFolder, ["<|endoftext|>"], bosToken: null, eosToken: "<|endoftext|>", padToken: "<|endoftext|>");
        var tokenizer = PretrainedTokenizer.FromPretrained(modelFolder);
        var config = new ModelConfig
        {
            ModelType = "llama", VocabSize = tokenizer.VocabSizeWithAddedTokens, HiddenSize = 32, IntermediateSize = 64,
            NumHiddenLayers = 2, NumAttentionHeads = 4, NumKeyValueHeads = 2, HeadDim = 8, EosTokenIds = [tokenizer.EosTokenId!.Value],
        };
        using (var random = CausalLM.Create(config, seed: 7))
        {
            random.SavePretrained(modelFolder);
        }

        Console.WriteLine($"NATIVE {TorchRuntime.NativeLibraryPath} compatibility-copy={TorchRuntime.UsesCompatibilityCopy}");

        // LoRA SFT: two steps, then the adapter is saved in PEFT format.
        var adapterFolder = Path.Combine(work, "adapter");
        using var peft = PeftModel.Create(CausalLM.FromPretrained(modelFolder), new LoraConfig { R = 4, LoraAlpha = 8, TargetModulesRegex = LoraConfig.AllLinear });
        var trainer = SftTrainer.Create(new AdapterTraining(peft), tokenizer, texts.Select(SftExample.FromText).ToList(), new SftTrainerOptions
        {
            Training = new TrainingOptions { OutputDirectory = adapterFolder, MaxSteps = 2, BatchSize = 2, LearningRate = 1e-2, LoggingSteps = 1, TensorBoard = false },
        });
        var result = trainer.Train();
        Console.WriteLine($"TRAINED steps={result.Steps} loss={result.FinalMetrics["loss"]:F4}");
        Console.WriteLine($"ADAPTER {string.Join(",", Directory.GetFiles(adapterFolder, "adapter_*").Select(Path.GetFileName).Order())}");

        // Reload the adapter onto a fresh copy of the model: same logits, same generated text.
        using var reloaded = PeftModel.FromPretrained(CausalLM.FromPretrained(modelFolder), adapterFolder);
        using var ids = tensor(tokenizer.Encode("The cat").Select(i => (long)i).ToArray()).unsqueeze(0);
        using var trained = peft.Forward(ids);
        using var again = reloaded.Forward(ids);
        float Max(Tensor t) { using var m = t.abs().max(); return m.item<float>(); }
        float changed;
        using (peft.DisableAdapters())
        {
            using var baseOutput = peft.Forward(ids);
            using var delta = trained.Logits - baseOutput.Logits;
            changed = Max(delta);
        }

        using var difference = trained.Logits - again.Logits;
        Console.WriteLine($"RELOAD max-difference={Max(difference):E1} adapter-effect={changed:E1}");

        var options = new GenerationOptions { MaxNewTokens = 8 };
        var first = new TextGenerator(peft.BaseModel, tokenizer).Generate("The cat", options);
        var second = new TextGenerator(reloaded.BaseModel, tokenizer).Generate("The cat", options);
        Console.WriteLine($"GENERATED tokens={second.TokenIds.Count} same={first.TokenIds.SequenceEqual(second.TokenIds)} text=\"{second.Text}\"");
        """;
}
