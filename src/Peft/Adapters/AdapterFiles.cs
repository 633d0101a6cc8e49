using Microsoft.Extensions.Logging;
using Peft.Checkpoints;
using Peft.Models;
using Peft.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Peft.Adapters;

/// <summary>
/// PEFT's adapter state-dict layout (<c>get_peft_model_state_dict</c> / <c>set_peft_model_state_dict</c>): keys
/// <c>base_model.model.&lt;module path&gt;.lora_A.weight</c> and so on, without the adapter name.
/// </summary>
internal static class AdapterFiles
{
    private const string Prefix = "base_model.model.";

    /// <summary>The tensors of one adapter as they are written, converted to <paramref name="dtype"/> on the CPU when due.</summary>
    public static List<TensorSource> Sources(PeftModel peft, string adapter, ScalarType dtype)
    {
        var access = peft.State;
        var config = access.Configs[adapter];
        var sources = new List<TensorSource>();
        void Add(string key, Tensor t) => sources.Add(t.dtype == dtype && t.device_type == DeviceType.CPU
            ? TensorSource.Of(key, t)
            : new TensorSource(key, dtype, t.shape, () => t.detach().to(dtype).cpu(), DisposeAfterWrite: true));

        foreach (var (path, layer) in access.Layers)
        {
            if (!layer.TryGetAdapter(adapter, out var w))
            {
                continue;
            }

            Add($"{Prefix}{path}.lora_A.weight", w.A);
            Add($"{Prefix}{path}.lora_B.weight", w.B);
            if (w.Magnitude is not null)
            {
                Add($"{Prefix}{path}.lora_magnitude_vector", w.Magnitude);
            }

            if (config.Bias == "lora_only" && layer.Bias is { } bias)
            {
                Add($"{Prefix}{path}.base_layer.bias", bias); // PEFT's own lora_only export misses these (its key lookup skips base_layer)
            }
        }

        var copies = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        foreach (var (path, saved) in access.Saved)
        {
            foreach (var adapterName in saved.Adapters)
            {
                foreach (var (name, p) in saved.Copy(adapterName))
                {
                    copies.Add(p);
                    if (adapterName == adapter)
                    {
                        Add($"{Prefix}{path}.{name}", p);
                    }
                }
            }
        }

        if (config.Bias == "all")
        {
            foreach (var (name, p) in access.Model.named_parameters())
            {
                if (IsBias(name) && !copies.Contains(p) && !access.Saved.Keys.Any(s => name.StartsWith(s + ".", StringComparison.Ordinal)))
                {
                    Add(Prefix + name, p);
                }
            }
        }

        return sources;
    }

    private static bool IsBias(string name) => name == "bias" || name.EndsWith(".bias", StringComparison.Ordinal);

    /// <summary>Reads, checks and injects a saved adapter.</summary>
    public static void Load(PeftModel peft, string folder, string adapter, bool isTrainable, ILogger? logger)
    {
        var configFile = Path.GetFullPath(Path.Combine(folder, LoraConfigJson.FileName));
        if (!File.Exists(configFile))
        {
            throw new FileNotFoundException($"No {LoraConfigJson.FileName} in the adapter folder '{Path.GetFullPath(folder)}'.", configFile);
        }

        var weightsFile = Path.GetFullPath(Path.Combine(folder, PeftModel.WeightsFileName));
        if (!File.Exists(weightsFile))
        {
            var pickle = File.Exists(Path.Combine(folder, "adapter_model.bin"));
            throw new FileNotFoundException(pickle
                ? $"'{Path.GetFullPath(folder)}' holds adapter_model.bin (a pickle); only {PeftModel.WeightsFileName} is supported. Re-save it with PEFT's save_pretrained(safe_serialization=True)."
                : $"No {PeftModel.WeightsFileName} in the adapter folder '{Path.GetFullPath(folder)}'.", weightsFile);
        }

        var warnings = new List<string>();
        var config = LoraConfig.Parse(File.ReadAllText(configFile), configFile, warnings) with { InferenceMode = !isTrainable };
        foreach (var warning in warnings)
        {
            logger?.LogWarning("{Warning}", warning);
        }

        config = peft.NormalizeForLoad(config, configFile);
        var (saveUnmatched, targets) = peft.ResolveForLoad(config, configFile);
        if (saveUnmatched.Count > 0)
        {
            logger?.LogWarning("{File}: modules_to_save entries [{Entries}] match no module of the model and are ignored.", configFile, string.Join(", ", saveUnmatched));
        }

        var access = peft.State;
        var (savePaths, _) = TargetMatcher.ResolveModulesToSave(access.Model, config.ModulesToSave);
        using var file = SafetensorsFile.Open(weightsFile);
        var required = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var path in targets)
        {
            var module = ModuleSurgery.Get(access.Model, path);
            var linear = module as ILinearLayer ?? throw new InvalidOperationException($"'{path}' is not a linear layer.");
            var (rank, _) = TargetMatcher.RankAndAlpha(config, path);
            required[$"{Prefix}{path}.lora_A.weight"] = new[] { rank, linear.InFeatures };
            required[$"{Prefix}{path}.lora_B.weight"] = new[] { linear.OutFeatures, rank };
            if (config.UseDora)
            {
                required[$"{Prefix}{path}.lora_magnitude_vector"] = new[] { linear.OutFeatures };
            }
        }

        foreach (var path in savePaths)
        {
            using var probe = new SavedModule(access.Model, path);
            foreach (var (name, shape) in probe.Slots)
            {
                required[$"{Prefix}{path}.{name}"] = shape;
            }
        }

        var optional = OptionalBiases(access, config, targets, savePaths);
        Check(file, required, optional);

        var device = access.Model.Device;
        Tensor Read(string key)
        {
            using var stored = file.ReadTensor(key);
            return stored.to(ScalarType.Float32).to(device, copy: true);
        }

        var copies = savePaths.ToDictionary(p => p, p =>
        {
            using var probe = new SavedModule(access.Model, p);
            return (IReadOnlyDictionary<string, Tensor>)probe.Slots.ToDictionary(s => s.Name, s => Read($"{Prefix}{p}.{s.Name}"));
        });

        try
        {
            peft.Inject(adapter, config, targets, (path, _) =>
            {
                var (rank, alpha) = TargetMatcher.RankAndAlpha(config, path);
                return LoraAdapterWeights.FromTensors(rank, alpha, config, Read($"{Prefix}{path}.lora_A.weight"), Read($"{Prefix}{path}.lora_B.weight"),
                    config.UseDora ? Read($"{Prefix}{path}.lora_magnitude_vector") : null);
            }, copies);
        }
        finally
        {
            foreach (var t in copies.Values.SelectMany(c => c.Values))
            {
                t.Dispose();
            }
        }

        LoadBiases(file, access, optional);
    }

    /// <summary>Bias keys an adapter may carry (bias = all or lora_only), mapped to the model's parameter names after wrapping.</summary>
    private static Dictionary<string, (string Name, long[] Shape)> OptionalBiases(PeftModel.AdapterState access, LoraConfig config, List<string> targets,
        List<string> savePaths)
    {
        var result = new Dictionary<string, (string, long[])>(StringComparer.Ordinal);
        if (config.Bias == "none")
        {
            return result;
        }

        var targeted = new HashSet<string>(targets, StringComparer.Ordinal);
        foreach (var (path, module) in TargetMatcher.Modules(access.Model))
        {
            if (savePaths.Any(s => path == s || path.StartsWith(s + ".", StringComparison.Ordinal)))
            {
                continue;
            }

            var wrappedName = $"{path}.base_layer.bias";
            if (module is LoraLinear || (targeted.Contains(path) && module is ILinearLayer))
            {
                if (((ILinearLayer)module).Bias is { } bias && (config.Bias == "all" || targeted.Contains(path)))
                {
                    result[Prefix + wrappedName] = (wrappedName, bias.shape);
                    result[$"{Prefix}{path}.bias"] = (wrappedName, bias.shape);
                }
            }
            else if (config.Bias == "all" && module.named_parameters(recurse: false).FirstOrDefault(p => p.name == "bias").parameter is { } own)
            {
                result[$"{Prefix}{path}.bias"] = ($"{path}.bias", own.shape);
            }
        }

        return result;
    }

    private static void Check(SafetensorsFile file, Dictionary<string, long[]> required, Dictionary<string, (string Name, long[] Shape)> optional)
    {
        foreach (var (key, (_, shape)) in optional.Where(o => file.Contains(o.Key)))
        {
            required[key] = shape;
        }

        var missing = required.Keys.Where(k => !file.Contains(k)).ToList();
        var unexpected = file.Names.Where(k => !required.ContainsKey(k) && !optional.ContainsKey(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        var mismatched = new List<string>();
        foreach (var (key, shape) in required.Where(r => file.Contains(r.Key)))
        {
            var info = file.GetInfo(key);
            if (!info.Shape.SequenceEqual(shape))
            {
                mismatched.Add($"{key}: expected [{string.Join(", ", shape)}], found {info.ShapeText}");
            }
            else if (info.ScalarType is not (ScalarType.Float32 or ScalarType.BFloat16 or ScalarType.Float16 or ScalarType.Float64))
            {
                mismatched.Add($"{key}: expected a floating-point tensor, found {info.DType}");
            }
        }

        if (missing.Count + unexpected.Count + mismatched.Count > 0)
        {
            throw new AdapterMismatchException(file.FilePath, missing, unexpected, mismatched);
        }
    }

    private static void LoadBiases(SafetensorsFile file, PeftModel.AdapterState access, Dictionary<string, (string Name, long[] Shape)> optional)
    {
        var parameters = access.Model.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        using var guard = no_grad();
        foreach (var (key, (name, _)) in optional)
        {
            if (file.Contains(key) && parameters.TryGetValue(name, out var p))
            {
                using var value = file.ReadTensor(key);
                p.copy_(value);
            }
        }
    }
}
