using System.Text.Json;
using System.Text.Json.Nodes;
using Peft.Checkpoints;
using Peft.IO;
using Peft.Models;
using Peft.Models.Layers;
using Peft.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Quantization;

/// <summary>
/// Entry points for quantized models: quantize-on-load from a dense Hugging Face checkpoint (each projection is
/// quantized as its tensor streams in, so memory peaks near the quantized size), loading and saving quantized
/// checkpoints, quantizing or dequantizing a model in memory, and reading back the settings a model was quantized with.
/// </summary>
/// <example>
/// <code>
/// using var model = QuantizedModel.FromPretrained("models/SmolLM2-135M", QuantizationConfig.Nf4());
/// Console.WriteLine(ModelMemoryReport.Create(model));
/// QuantizedModel.SavePretrained(model, "out/smollm2-nf4");          // 4-bit checkpoint
/// model.SavePretrained("out/smollm2-dense", ScalarType.BFloat16);     // dequantized, for transformers
/// </code>
/// </example>
public static class QuantizedModel
{
    /// <summary>The <c>config.json</c> field that holds the quantization settings.</summary>
    public const string ConfigField = "quantization_config";

    /// <summary>
    /// Loads a model with quantized projections. A folder whose <c>config.json</c> has a <c>quantization_config</c>
    /// is loaded as saved (quantized tensors restored bit-exactly); a dense folder is quantized on load with
    /// <paramref name="config"/>.
    /// </summary>
    /// <param name="folder">A Hugging Face model folder.</param>
    /// <param name="config">How to quantize a dense checkpoint; for a quantized folder null, or settings that agree with the saved ones (its compute dtype wins).</param>
    /// <param name="options">Device, dtypes, low-memory loading; a <see cref="ModelLoadOptions.LinearFactory"/> builds the skipped projections.</param>
    /// <returns>The model in evaluation mode with every parameter frozen.</returns>
    /// <exception cref="ArgumentException">No config for a dense folder, or a config that contradicts the saved one.</exception>
    /// <exception cref="ModelConfigException">config.json or its quantization_config is invalid.</exception>
    /// <exception cref="CheckpointMismatchException">Tensors are missing, unexpected or mis-shaped.</exception>
    /// <exception cref="QuantizedStateException">A saved quantized tensor is corrupt (the message names it).</exception>
    public static CausalLM FromPretrained(string folder, QuantizationConfig? config = null, ModelLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        options ??= new ModelLoadOptions();
        var modelConfig = ModelConfig.Load(folder);
        var configFile = Path.Combine(folder, "config.json");
        if (modelConfig.Raw[ConfigField] is JsonObject saved)
        {
            var stored = QuantizationConfig.FromJson(saved, configFile);
            if (config is not null)
            {
                if (config.LoadIn4Bit != stored.LoadIn4Bit || (stored.LoadIn4Bit && (config.Bnb4BitQuantType != stored.Bnb4BitQuantType
                    || config.Bnb4BitUseDoubleQuant != stored.Bnb4BitUseDoubleQuant || config.Bnb4BitBlockSize != stored.Bnb4BitBlockSize)))
                {
                    throw new ArgumentException(
                        $"'{folder}' is already quantized ({Describe(stored)}); the requested {Describe(config)} differs. Pass null to load it as saved.", nameof(config));
                }

                stored = stored with { Bnb4BitComputeDtype = config.Bnb4BitComputeDtype ?? stored.Bnb4BitComputeDtype };
            }

            var raw = (JsonObject)modelConfig.Raw.DeepClone();
            raw.Remove(ConfigField); // a dense export of this model must not claim to be quantized
            return QuantizedCheckpointLoader.Load(folder, modelConfig with { Raw = raw }, stored, options);
        }

        if (config is null)
        {
            throw new ArgumentException($"'{folder}' holds a dense checkpoint; pass a QuantizationConfig to quantize it on load.", nameof(config));
        }

        config.Validate();
        TorchRuntime.EnsureInitialized(options.Logger);
        var device = DeviceSelector.Select(options.Device).Device;
        return CausalLM.FromPretrained(folder, options with { LinearFactory = config.CreateLinearFactory(device, options.LinearFactory) });
    }

    /// <summary>Quantizes the dense projections of a model in place (not <c>lm_head</c>, embeddings or norms).</summary>
    /// <param name="model">The model; its dense <see cref="Linear"/> layers are replaced and disposed.</param>
    /// <param name="config">How to quantize.</param>
    /// <returns>The same model.</returns>
    /// <exception cref="ArgumentException">The configuration is invalid.</exception>
    public static CausalLM Quantize(CausalLM model, QuantizationConfig config)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        var targets = model.named_modules().Where(m => m.module is Linear && m.name != "lm_head" && config.ShouldQuantize(m.name)).ToList();
        foreach (var (path, module) in targets)
        {
            var dense = (Linear)module;
            QuantizedLinear quantized = config.LoadIn4Bit
                ? Linear4bit.FromLinear(dense, config.Bnb4BitQuantType, config.Bnb4BitBlockSize, config.Bnb4BitUseDoubleQuant, config.Bnb4BitComputeDtype)
                : Linear8bit.FromLinear(dense, config.LlmInt8Threshold, config.Bnb4BitComputeDtype);
            ModuleSurgery.Replace(model, path, quantized);
            dense.Dispose();
        }

        return model;
    }

    /// <summary>
    /// Replaces every quantized projection by a dense <see cref="Linear"/> holding its dequantized weight (PEFT's
    /// "dequantize, then merge" path for QLoRA: merge adapters into the dense weights afterwards, then export).
    /// </summary>
    /// <param name="model">The model; its quantized layers are replaced and disposed.</param>
    /// <param name="dtype">Storage dtype of the dense weights; null uses the model's storage dtype.</param>
    /// <returns>The same model.</returns>
    public static CausalLM Dequantize(CausalLM model, ScalarType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var targets = model.named_modules().Where(m => m.module is QuantizedLinear).ToList();
        foreach (var (path, module) in targets)
        {
            var layer = (QuantizedLinear)module;
            ModuleSurgery.Replace(model, path, layer.ToDense(dtype ?? model.StorageType));
            layer.Dispose();
        }

        return model;
    }

    /// <summary>The settings a model's quantized layers were built with, or null when it has none.</summary>
    /// <param name="model">The model.</param>
    /// <exception cref="InvalidOperationException">The model mixes 4-bit and 8-bit layers or 4-bit settings.</exception>
    public static QuantizationConfig? GetConfig(CausalLM model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var modules = model.named_modules().ToList();
        var layers = modules.Select(m => m.module).OfType<QuantizedLinear>().ToList();
        if (layers.Count == 0)
        {
            return null;
        }

        var kinds = layers.Select(l => l switch
        {
            Linear4bit l4 => $"4bit {FourBitCodebook.Name(l4.QuantType)} blocksize {l4.BlockSize} double_quant {l4.DoubleQuant} compute {l4.ComputeType}",
            Linear8bit l8 => $"8bit threshold {l8.Threshold} compute {l8.ComputeType}",
            _ => l.GetType().Name,
        }).Distinct().ToList();
        if (kinds.Count > 1)
        {
            throw new InvalidOperationException($"The model mixes quantized layer settings ({string.Join("; ", kinds)}); one quantization_config cannot describe it.");
        }

        var skipped = modules.Where(m => m.module is Linear && m.name != "lm_head").Select(m => m.name).ToList();
        var skip = skipped.Count == 0 ? null : new[] { "lm_head" }.Concat(skipped).ToArray();
        return layers[0] switch
        {
            Linear4bit l4 => new QuantizationConfig
            {
                LoadIn4Bit = true, Bnb4BitQuantType = l4.QuantType, Bnb4BitBlockSize = l4.BlockSize, Bnb4BitUseDoubleQuant = l4.DoubleQuant,
                Bnb4BitComputeDtype = l4.ComputeType, LlmInt8SkipModules = skip,
            },
            Linear8bit l8 => new QuantizationConfig { LoadIn8Bit = true, LlmInt8Threshold = l8.Threshold, Bnb4BitComputeDtype = l8.ComputeType, LlmInt8SkipModules = skip },
            _ => null,
        };
    }

    /// <summary>
    /// Saves a quantized model as a folder that <see cref="FromPretrained"/> restores bit-exactly: <c>config.json</c>
    /// with <c>quantization_config</c>, <c>generation_config.json</c>, and <c>model.safetensors</c> (sharded above
    /// <paramref name="maxShardBytes"/>) holding dense tensors in their storage dtype and the quantized layers in
    /// bitsandbytes' key layout (see docs/quantization.md). Use <see cref="CausalLM.SavePretrained"/> for a dense export.
    /// </summary>
    /// <param name="model">A model with quantized projections (and no adapters wrapped around them).</param>
    /// <param name="folder">Output folder (created if needed).</param>
    /// <param name="maxShardBytes">Largest shard.</param>
    /// <exception cref="ArgumentException">The model has no quantized layers.</exception>
    public static void SavePretrained(CausalLM model, string folder, long maxShardBytes = 5_000_000_000)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(folder);
        var quantization = GetConfig(model)
            ?? throw new ArgumentException("The model has no quantized layers; save it with CausalLM.SavePretrained.", nameof(model));
        var sources = new List<TensorSource>();
        Collect(model, string.Empty, sources);
        Directory.CreateDirectory(folder);
        SafetensorsCheckpoint.Save(folder, sources, maxShardBytes, "model", new Dictionary<string, string> { ["format"] = "pt" });

        var config = model.Config.ToJson();
        config["torch_dtype"] = QuantStateJson.DTypeName(model.StorageType);
        config[ConfigField] = quantization.ToJson();
        var options = new JsonSerializerOptions { WriteIndented = true };
        AtomicFile.WriteAllText(Path.Combine(folder, "config.json"), config.ToJsonString(options) + "\n");
        AtomicFile.WriteAllText(Path.Combine(folder, "generation_config.json"), ModelStateExporter.GenerationJson(model.GenerationConfig).ToJsonString(options) + "\n");
    }

    private static void Collect(nn.Module module, string prefix, List<TensorSource> sources)
    {
        if (module is QuantizedLinear q)
        {
            sources.AddRange(QuantizedStateDict.Sources(prefix, q));
            return;
        }

        foreach (var (name, p) in module.named_parameters(recurse: false))
        {
            sources.Add(p.device_type == DeviceType.CPU && p.is_contiguous()
                ? TensorSource.Of(prefix + name, p)
                : new TensorSource(prefix + name, p.dtype, p.shape, () => QuantizedStateDict.CpuCopy(p), DisposeAfterWrite: true));
        }

        foreach (var (name, child) in module.named_children())
        {
            Collect(child, prefix + name + ".", sources);
        }
    }

    private static string Describe(QuantizationConfig c) => c.LoadIn4Bit
        ? $"4-bit {FourBitCodebook.Name(c.Bnb4BitQuantType)}, block size {c.Bnb4BitBlockSize}, double quantization {(c.Bnb4BitUseDoubleQuant ? "on" : "off")}"
        : "8-bit";
}
