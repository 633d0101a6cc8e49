using System.CommandLine;
using Peft.Cli.Infrastructure;
using Peft.Quantization;
using Peft.Tokenization;
using static TorchSharp.torch;

namespace Peft.Cli.Commands;

/// <summary><c>peft merge</c>: fold an adapter into its base model and save a plain Hugging Face model folder.</summary>
internal static class MergeCommand
{
    public static Command Create()
    {
        var model = new ModelOptionSet();
        model.Adapter.Required = true;
        var output = new Option<string>("--output", "-o") { Description = "The merged model folder to write (config.json, model.safetensors, tokenizer files).", HelpName = "folder", Required = true };
        var dtype = new Option<string>("--dtype")
        {
            Description = "Dtype of the saved weights.",
            DefaultValueFactory = _ => "bf16",
            HelpName = "bf16|fp16|fp32",
        }.AcceptOnlyFromAmong("bf16", "fp16", "fp32");
        var command = new Command("merge",
            "Merge an adapter into its base model and save a Hugging Face folder for transformers, vLLM or llama.cpp converters. "
            + "For an adapter trained on a quantized base, pass the same --quantize: the base is dequantized and the adapter merged into it.")
        {
            output, dtype,
        };
        foreach (var option in model.All)
        {
            command.Options.Add(option);
        }

        CommandActions.Set(command, context =>
        {
            var type = context.Get(dtype) switch
            {
                "fp32" => ScalarType.Float32,
                "fp16" => ScalarType.Float16,
                _ => ScalarType.BFloat16,
            };
            var target = context.Get(output)!;
            using var loaded = model.Load(context);
            var quantized = QuantizedModel.GetConfig(loaded.Model) is not null;
            using var merged = loaded.Peft!.MergeAndUnload(type);
            merged.SavePretrained(target, type);
            var tokenizerFiles = PretrainedTokenizer.CopyFiles(context.Get(model.Tokenizer) ?? loaded.Folder, target);
            context.Info($"merged {loaded.AdapterFolder} into {loaded.Folder}{(quantized ? " (quantized base dequantized before merging)" : string.Empty)}");
            context.Info($"wrote {Path.GetFullPath(target)}: config.json, model.safetensors ({context.Get(dtype)}), {tokenizerFiles.Count} tokenizer file(s)");
            return ExitCodes.Success;
        });
        return command;
    }
}
