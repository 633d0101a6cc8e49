using Peft.Checkpoints;
using static TorchSharp.torch;

namespace Peft.Adapters;

public sealed partial class PeftModel
{
    /// <summary>The adapter weights file name PEFT uses.</summary>
    public const string WeightsFileName = "adapter_model.safetensors";

    /// <summary>
    /// Saves adapters in PEFT's format (PEFT's <c>save_pretrained</c>): <c>adapter_config.json</c> and
    /// <c>adapter_model.safetensors</c> (keys <c>base_model.model.&lt;path&gt;.lora_A.weight</c> [r, in],
    /// <c>….lora_B.weight</c> [out, r], DoRA's <c>….lora_magnitude_vector</c> [out], <c>modules_to_save</c> as
    /// <c>base_model.model.&lt;path&gt;.weight</c>, trained biases; metadata <c>{"format": "pt"}</c>). The adapter
    /// named <c>default</c> goes into <paramref name="folder"/>, any other into <c>folder/&lt;name&gt;</c>. Files
    /// appear atomically.
    /// </summary>
    /// <param name="folder">The output folder (created if needed).</param>
    /// <param name="adapterName">The adapter to save; null saves every adapter.</param>
    /// <param name="dtype">Dtype of the stored tensors: float32 (PEFT's default), bfloat16 or float16.</param>
    /// <exception cref="ArgumentException">No adapter has that name, or the dtype is not a float type.</exception>
    public void SaveAdapter(string folder, string? adapterName = null, ScalarType dtype = ScalarType.Float32)
    {
        ThrowIfReleased();
        ArgumentNullException.ThrowIfNull(folder);
        if (dtype is not (ScalarType.Float32 or ScalarType.BFloat16 or ScalarType.Float16))
        {
            throw new ArgumentException($"Adapters are saved as float32, bfloat16 or float16; found {dtype}.", nameof(dtype));
        }

        var names = adapterName is null ? _configs.Keys.ToList() : new List<string> { adapterName };
        foreach (var name in names)
        {
            RequireAdapter(name);
            var target = name == "default" ? folder : Path.Combine(folder, name);
            Directory.CreateDirectory(target);
            SafetensorsWriter.Write(Path.Combine(target, WeightsFileName), AdapterFiles.Sources(this, name, dtype),
                new Dictionary<string, string> { ["format"] = "pt" });
            (_configs[name] with { InferenceMode = true }).Save(target);
        }
    }

    /// <summary>
    /// Loads a saved adapter (written by PEFT or by <see cref="SaveAdapter"/>) as another adapter (PEFT's
    /// <c>load_adapter</c>); the active adapter does not change unless none was active. Every key and shape is checked
    /// before anything changes; unknown config fields are ignored with a warning.
    /// </summary>
    /// <param name="folder">A folder with adapter_config.json and adapter_model.safetensors.</param>
    /// <param name="adapterName">The name to give it.</param>
    /// <param name="isTrainable">False freezes it (PEFT's default); true lets it be trained further.</param>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="LoraConfigException">adapter_config.json is invalid or targets nothing in this model.</exception>
    /// <exception cref="AdapterMismatchException">The tensors do not fit the model (every problem listed).</exception>
    public void LoadAdapter(string folder, string adapterName = "default", bool isTrainable = false)
    {
        ThrowIfReleased();
        ArgumentNullException.ThrowIfNull(folder);
        CheckNewName(adapterName);
        AdapterFiles.Load(this, folder, adapterName, isTrainable, _logger);
    }

    internal AdapterState State => new(_model, _configs, _layers, _saved);

    /// <summary>What the adapter file code reads from the wrapper.</summary>
    internal readonly record struct AdapterState(
        Peft.Models.CausalLM Model,
        IReadOnlyDictionary<string, LoraConfig> Configs,
        IReadOnlyDictionary<string, LoraLinear> Layers,
        IReadOnlyDictionary<string, SavedModule> Saved);

    internal LoraConfig NormalizeForLoad(LoraConfig config, string source) => Normalize(config, source);

    internal (List<string> SaveUnmatched, List<string> Targets) ResolveForLoad(LoraConfig config, string source) => Resolve(config, source);
}
