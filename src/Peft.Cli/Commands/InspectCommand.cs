using System.CommandLine;
using System.Text.RegularExpressions;
using Peft.Adapters;
using Peft.Checkpoints;
using Peft.Cli.Infrastructure;
using Peft.Models;
using Peft.Quantization;
using Peft.Tokenization;
using Spectre.Console;
using static TorchSharp.torch;

namespace Peft.Cli.Commands;

/// <summary><c>peft inspect</c>: what a model folder or an adapter folder holds, without loading any weights.</summary>
internal static partial class InspectCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("folder") { Description = "A Hugging Face model folder (config.json) or a PEFT adapter folder (adapter_config.json)." };
        var command = new Command("inspect", "Show a model's config, parameter count, dtypes and memory per quantization, or an adapter's config and tensors.")
        {
            path,
        };
        CommandActions.Set(command, context =>
        {
            var folder = CliPaths.RequireFolder(context.Parse.GetValue(path), "folder");
            if (File.Exists(Path.Combine(folder, "adapter_config.json")))
            {
                return Adapter(context, folder);
            }

            return File.Exists(Path.Combine(folder, "config.json"))
                ? Model(context, folder)
                : throw new UsageException($"'{Path.GetFullPath(folder)}' holds neither config.json (a model) nor adapter_config.json (an adapter).");
        });
        return command;
    }

    private static int Model(CliContext context, string folder)
    {
        var config = ModelConfig.Load(folder);
        var quantization = config.Raw[QuantizedModel.ConfigField] is System.Text.Json.Nodes.JsonObject saved
            ? QuantizationConfig.FromJson(saved, Path.Combine(folder, "config.json"))
            : null;
        context.Info($"model {Path.GetFullPath(folder)}");
        var settings = new Table().AddColumns("field", "value");
        void Row(string name, object? value) => settings.AddRow(name, Markup.Escape(value?.ToString() ?? "-"));
        Row("model_type", config.ModelType);
        Row("hidden_size", config.HiddenSize);
        Row("intermediate_size", config.IntermediateSize);
        Row("num_hidden_layers", config.NumHiddenLayers);
        Row("num_attention_heads / num_key_value_heads", $"{config.NumAttentionHeads} / {config.NumKeyValueHeads} (head_dim {config.HeadDim})");
        Row("vocab_size", config.VocabSize);
        Row("max_position_embeddings", config.MaxPositionEmbeddings);
        Row("rope_theta", config.RopeTheta);
        Row("tie_word_embeddings", config.TieWordEmbeddings);
        Row("torch_dtype", config.TorchDtype);
        Row("quantization_config", quantization is null ? "none (dense)" : quantization.ToJson().ToJsonString());
        Row("parameters (from config)", Numbers.Count(config.ParameterCount()));
        context.Console.Write(settings);

        using (var checkpoint = SafetensorsCheckpoint.Open(folder))
        {
            var dtypes = new Table().AddColumns("checkpoint dtype", "tensors", "elements", "bytes");
            foreach (var group in checkpoint.Names.Select(checkpoint.GetInfo).GroupBy(i => i.DType).OrderByDescending(g => g.Sum(i => i.ByteCount)))
            {
                dtypes.AddRow(group.Key, Numbers.Count(group.Count()), Numbers.Count(group.Sum(i => i.ElementCount)), Numbers.Bytes(group.Sum(i => i.ByteCount)));
            }

            dtypes.AddRow("total", Numbers.Count(checkpoint.Names.Count), string.Empty, Numbers.Bytes(checkpoint.TotalBytes));
            context.Info($"checkpoint: {checkpoint.Files.Count} file(s)");
            context.Console.Write(dtypes);
        }

        var memory = new Table().AddColumns("weights in memory", "bytes", "bytes/parameter");
        var parameters = config.ParameterCount();
        foreach (var (name, storage, q) in new (string, ScalarType, QuantizationConfig?)[]
                 {
                     ("fp32", ScalarType.Float32, null),
                     ("bf16", ScalarType.BFloat16, null),
                     ("int8 (rest bf16; outliers not counted)", ScalarType.BFloat16, QuantizationConfig.Int8()),
                     ("nf4 (rest bf16)", ScalarType.BFloat16, QuantizationConfig.Nf4(doubleQuant: false)),
                     ("nf4 + double quant (rest bf16)", ScalarType.BFloat16, QuantizationConfig.Nf4(doubleQuant: true)),
                 })
        {
            var bytes = ModelMemoryReport.Estimate(config, storage, q);
            memory.AddRow(name, Numbers.Bytes(bytes), Numbers.Fixed((double)bytes / parameters, 3));
        }

        context.Console.Write(memory);
        context.Info("(estimates of the parameters only; activations, KV cache, gradients and optimizer state come on top)");
        TokenizerSummary(context, folder);
        return ExitCodes.Success;
    }

    private static void TokenizerSummary(CliContext context, string folder)
    {
        if (!PretrainedTokenizer.FileNames.Take(4).Any(n => File.Exists(Path.Combine(folder, n))))
        {
            context.Info("tokenizer: none in this folder");
            return;
        }

        var tokenizer = PretrainedTokenizer.FromPretrained(folder);
        context.Info($"tokenizer: {tokenizer.Format} ({Path.GetFileName(tokenizer.SourceFile)}), {Numbers.Count(tokenizer.VocabSizeWithAddedTokens)} tokens, "
                     + $"bos {tokenizer.BosToken ?? "-"}, eos {tokenizer.EosToken ?? "-"}, pad {tokenizer.PadToken ?? "-"}, "
                     + $"chat template: {(tokenizer.ChatTemplates.Count == 0 ? "none" : string.Join(", ", tokenizer.ChatTemplates.Keys))}");
    }

    private static int Adapter(CliContext context, string folder)
    {
        var config = LoraConfig.Load(folder, context.Logger);
        context.Info($"adapter {Path.GetFullPath(folder)}");
        var settings = new Table().AddColumns("field", "value");
        void Row(string name, object? value) => settings.AddRow(name, Markup.Escape(value?.ToString() ?? "-"));
        Row("peft_type / task_type", $"LORA / {config.TaskType}");
        Row("base_model_name_or_path", config.BaseModelNameOrPath);
        Row("r / lora_alpha / lora_dropout", $"{config.R} / {config.LoraAlpha} / {config.LoraDropout}");
        Row("scaling", Numbers.Fixed(config.Scaling(config.R, config.LoraAlpha)));
        Row("target_modules", config.TargetModulesRegex ?? string.Join(", ", config.TargetModules ?? []));
        Row("use_rslora / use_dora", $"{config.UseRslora} / {config.UseDora}");
        Row("bias", config.Bias);
        Row("modules_to_save", config.ModulesToSave is null ? null : string.Join(", ", config.ModulesToSave));
        Row("rank_pattern / alpha_pattern", $"{config.RankPattern.Count} / {config.AlphaPattern.Count} entries");
        context.Console.Write(settings);

        var weights = Path.Combine(folder, PeftModel.WeightsFileName);
        if (!File.Exists(weights))
        {
            context.Warn($"{PeftModel.WeightsFileName} is missing from the folder.");
            return ExitCodes.Success;
        }

        using var file = SafetensorsFile.Open(weights);
        var tensors = new Table().AddColumns("key (layer index as *)", "tensors", "dtype", "shape");
        foreach (var group in file.Tensors.GroupBy(t => LayerIndex().Replace(t.Name, ".layers.*.")).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var shapes = group.Select(t => t.ShapeText).Distinct().ToList();
            tensors.AddRow(Markup.Escape(group.Key), Numbers.Count(group.Count()), string.Join(", ", group.Select(t => t.DType).Distinct()),
                Markup.Escape(string.Join(" | ", shapes)));
        }

        context.Console.Write(tensors);
        context.Info($"{Numbers.Count(file.Tensors.Count)} tensors, {Numbers.Count(file.Tensors.Sum(t => t.ElementCount))} parameters, "
                     + $"{Numbers.Bytes(file.Tensors.Sum(t => t.ByteCount))}");
        return ExitCodes.Success;
    }

    [GeneratedRegex(@"\.layers\.\d+\.")]
    private static partial Regex LayerIndex();
}
