using Peft.Adapters;
using Peft.Models;
using Peft.Quantization;
using Peft.Tokenization;

namespace Peft.Cli.Infrastructure;

/// <summary>Picks the library's loading call for a model folder, an optional quantization and an optional adapter.</summary>
internal static class ModelLoading
{
    /// <summary>
    /// Loads a base model: a folder saved quantized (its config.json has <c>quantization_config</c>) loads as saved;
    /// a dense folder is quantized on load when <paramref name="quantization"/> is set, else loaded dense.
    /// </summary>
    public static CausalLM LoadBase(CliContext context, string folder, QuantizationConfig? quantization)
    {
        var options = new ModelLoadOptions { Device = context.Device, Logger = context.Logger, LowMemory = true };
        var savedQuantized = ModelConfig.Load(folder).Raw.ContainsKey(QuantizedModel.ConfigField);
        return quantization is null && !savedQuantized
            ? CausalLM.FromPretrained(folder, options)
            : QuantizedModel.FromPretrained(folder, quantization, options);
    }

    /// <summary>Loads a base model and, when given, a frozen adapter onto it.</summary>
    /// <returns>The model to run and the wrapper that owns it (null without an adapter; dispose it, or the model, when done).</returns>
    public static (CausalLM Model, PeftModel? Peft) LoadForInference(CliContext context, string folder, QuantizationConfig? quantization, string? adapter)
    {
        var model = LoadBase(context, folder, quantization);
        if (adapter is null)
        {
            return (model, null);
        }

        try
        {
            var peft = PeftModel.FromPretrained(model, adapter, logger: context.Logger);
            return (peft.BaseModel, peft);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The tokenizer of <paramref name="tokenizerFolder"/>, or of the model folder.</summary>
    public static PretrainedTokenizer LoadTokenizer(string modelFolder, string? tokenizerFolder) =>
        PretrainedTokenizer.FromPretrained(tokenizerFolder is null ? modelFolder : CliPaths.RequireFolder(tokenizerFolder, "--tokenizer"));
}
