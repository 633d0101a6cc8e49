using System.Text.Json;
using Peft.Adapters;
using Peft.Cli;
using Peft.Models;
using Peft.Tests.Support;
using Peft.Tokenization;

namespace Peft.Tests.Cli;

/// <summary>
/// Tiny inputs for the CLI tests, built once per test class: a random 2-layer Llama saved as a Hugging Face folder
/// with a byte-level BPE tokenizer (ChatML template), SFT / preference / evaluation data files, and a saved adapter.
/// </summary>
public sealed class CliWorkspace : IDisposable
{
    public const string ChatMl =
        "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}{% endfor %}"
        + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

    private static readonly string[] Sentences =
    [
        "the cat sat on the mat", "a dog ran far away", "birds sing at dawn", "rain falls on the hills",
        "we eat bread and cheese", "she reads books at night", "he plays chess with friends", "stars shine at night",
    ];

    private readonly TempDirectory _dir = new();

    public CliWorkspace()
    {
        Model = Path.Combine(_dir.Path, "model");
        ByteLevelBpeTrainer.Train(Sentences.Concat(["hello there, how are you? I am fine, thank you."]), 300, Model,
            ["<|endoftext|>", "<|im_start|>", "<|im_end|>"], bosToken: null, eosToken: "<|im_end|>", padToken: "<|endoftext|>", chatTemplate: ChatMl);
        Config = TinyModels.Config(vocab: 300, hidden: 32, layers: 2, maxPositions: 256) with { BosTokenId = null };
        using (var model = TinyModels.Create(Config, seed: 3))
        {
            model.SavePretrained(Model);
        }

        SftData = Write("sft.jsonl", Sentences.Select(s => new { prompt = "say: ", completion = s }));
        TextData = Write("text.jsonl", Sentences.Select(s => new { text = s }));
        PreferenceData = Write("dpo.jsonl", Sentences.Select((s, i) => new { prompt = "say: ", chosen = s, rejected = Sentences[(i + 3) % Sentences.Length] }));
        EvalData = Write("eval.jsonl", Sentences.Take(3).Select(s => new { prompt = "say: ", reference = s }));
        Predictions = File("predictions.txt", "the cat sat\na dog ran far away\n");
        References = File("references.txt", "the cat sat on the mat\na dog ran far away\n");

        Adapter = Path.Combine(_dir.Path, "adapter");
        using var peft = PeftModel.Create(CausalLM.FromPretrained(Model, new ModelLoadOptions { Device = Peft.Runtime.DeviceOption.Cpu }),
            new LoraConfig { R = 4, LoraAlpha = 8, TargetModules = ["q_proj", "v_proj"], InitLoraWeights = "false" });
        peft.SaveAdapter(Adapter);
    }

    public string Root => _dir.Path;

    public ModelConfig Config { get; }

    /// <summary>The tiny model folder (config.json, model.safetensors, tokenizer.json, tokenizer_config.json with a chat template).</summary>
    public string Model { get; }

    /// <summary>An adapter (r 4 on q_proj and v_proj, non-zero B) for <see cref="Model"/>.</summary>
    public string Adapter { get; }

    public string SftData { get; }

    public string TextData { get; }

    public string PreferenceData { get; }

    public string EvalData { get; }

    public string Predictions { get; }

    public string References { get; }

    /// <summary>A fresh path under the workspace.</summary>
    public string PathOf(string name) => Path.Combine(_dir.Path, name + "-" + Guid.NewGuid().ToString("N")[..6]);

    public string File(string name, string text)
    {
        var path = Path.Combine(_dir.Path, name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    public string Write<T>(string name, IEnumerable<T> records) =>
        File(name, string.Join('\n', records.Select(r => JsonSerializer.Serialize(r))) + "\n");

    public void Dispose() => _dir.Dispose();

    /// <summary>Runs the CLI in-process.</summary>
    public static CliResult Run(params string[] args) => RunWith(null, default, args);

    /// <summary>Runs the CLI in-process with standard input and a cancellation token.</summary>
    public static CliResult RunWith(string? input, CancellationToken cancellation, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = PeftCli.Run(args, output, error, input is null ? null : new StringReader(input), cancellation);
        return new CliResult(code, output.ToString(), error.ToString());
    }
}

/// <summary>What one CLI run printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}";
}
