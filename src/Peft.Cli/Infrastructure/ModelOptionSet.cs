using System.CommandLine;
using Peft.Adapters;
using Peft.Models;
using Peft.Tokenization;

namespace Peft.Cli.Infrastructure;

/// <summary><c>--model</c>, <c>--adapter</c>, <c>--tokenizer</c> and the quantization options of commands that run a model.</summary>
internal sealed class ModelOptionSet
{
    public Option<string> Model { get; } = new("--model", "-m") { Description = "The base model: a Hugging Face model folder.", HelpName = "folder", Required = true };

    public Option<string> Adapter { get; } = new("--adapter", "-a") { Description = "A PEFT adapter folder to apply (adapter_config.json + adapter_model.safetensors).", HelpName = "folder" };

    public Option<string> Tokenizer { get; } = new("--tokenizer") { Description = "Tokenizer folder (default: the model folder).", HelpName = "folder" };

    public QuantizationOptionSet Quantization { get; } = new();

    public IEnumerable<Option> All => [Model, Adapter, Tokenizer, .. Quantization.All];

    /// <summary>Checks the paths and quantization settings, then loads the tokenizer, the model and the adapter.</summary>
    public LoadedModel Load(CliContext context)
    {
        var folder = CliPaths.RequireModelFolder(context.Get(Model));
        var adapter = context.Get(Adapter) is { } a ? CliPaths.RequireAdapterFolder(a) : null;
        var quantization = Quantization.Build(context);
        var tokenizer = ModelLoading.LoadTokenizer(folder, context.Get(Tokenizer));
        var (model, peft) = ModelLoading.LoadForInference(context, folder, quantization, adapter);
        return new LoadedModel(folder, adapter, model, peft, tokenizer);
    }
}

/// <summary>A model ready to run, with the tokenizer; disposing it frees the model (and adapter).</summary>
internal sealed record LoadedModel(string Folder, string? AdapterFolder, CausalLM Model, PeftModel? Peft, PretrainedTokenizer Tokenizer) : IDisposable
{
    public void Dispose()
    {
        if (Peft is not null)
        {
            Peft.Dispose();
        }
        else
        {
            Model.Dispose();
        }
    }
}
