using Peft.Models;
using Peft.Runtime;
using Peft.Tokenization;

namespace Peft.Examples;

/// <summary>
/// A tiny random Llama with a byte-level BPE tokenizer and a ChatML chat template, written as a Hugging Face model
/// folder. The examples use it when no model folder is given, so they run anywhere in seconds; its weights are
/// random, so it only says something sensible after the examples fine-tune it.
/// </summary>
public static class StandIn
{
    /// <summary>Where the stand-in is written (under the current folder).</summary>
    public const string DefaultFolder = "out/tiny-llama";

    /// <summary>The ChatML template (the format Qwen and SmolLM2 use).</summary>
    public const string ChatMlTemplate =
        "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}{% endfor %}"
        + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

    /// <summary>
    /// The model folder given as <paramref name="args"/>[<paramref name="index"/>], or the stand-in (built on first use) when
    /// there is none. Says which one it uses.
    /// </summary>
    public static (string Folder, bool IsStandIn) ModelFolder(string[] args, int index = 0)
    {
        if (args.Length > index && !string.IsNullOrWhiteSpace(args[index]))
        {
            Console.WriteLine($"Model: {args[index]}");
            return (args[index], false);
        }

        var folder = Path.GetFullPath(DefaultFolder);
        if (!File.Exists(Path.Combine(folder, "config.json")) || !File.Exists(Path.Combine(folder, "tokenizer.json")))
        {
            Build(folder);
        }

        // A model this small runs fastest on one thread (more threads only wait for each other, or for other processes).
        TorchRuntime.EnsureInitialized(); // load TorchSharp's native library through Peft before touching torch directly
        TorchSharp.torch.set_num_threads(1);
        Console.WriteLine("No model folder given: using a TINY RANDOM STAND-IN model (2 layers, hidden size 64, random weights)");
        Console.WriteLine($"  at {folder}. Pass a Hugging Face model folder (e.g. SmolLM2-135M-Instruct) to use a real model.");
        return (folder, true);
    }

    /// <summary>Writes the stand-in model folder: config.json, model.safetensors, tokenizer.json, tokenizer_config.json.</summary>
    public static void Build(string folder)
    {
        var corpus = SampleData.Conversations.SelectMany(c => new[] { c.Question, c.Answer, c.WrongAnswer })
            .Append("system user assistant\n");
        ByteLevelBpeTrainer.Train(corpus, vocabSize: 400, folder, ["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
            bosToken: null, eosToken: "<|im_end|>", padToken: "<|endoftext|>", chatTemplate: ChatMlTemplate);
        var tokenizer = PretrainedTokenizer.FromPretrained(folder);

        var config = new ModelConfig
        {
            ModelType = "llama",
            VocabSize = tokenizer.VocabSizeWithAddedTokens,
            HiddenSize = 64,
            IntermediateSize = 128,
            NumHiddenLayers = 2,
            NumAttentionHeads = 4,
            NumKeyValueHeads = 2,
            HeadDim = 16,
            MaxPositionEmbeddings = 256,
            RmsNormEps = 1e-5,
            EosTokenIds = [tokenizer.EosTokenId!.Value],
            PadTokenId = tokenizer.PadTokenId,
        };
        using var model = CausalLM.Create(config, seed: 1234);
        model.SavePretrained(folder);
    }
}
