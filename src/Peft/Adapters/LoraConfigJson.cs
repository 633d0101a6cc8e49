using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Peft.Adapters;

/// <summary>Reads, writes and validates <see cref="LoraConfig"/> in PEFT's <c>adapter_config.json</c> format.</summary>
internal static class LoraConfigJson
{
    public const string FileName = "adapter_config.json";

    /// <summary>Fields PEFT writes that carry nothing Peft needs (informational or for other back ends).</summary>
    private static readonly HashSet<string> Informational = new(StringComparer.Ordinal)
    {
        "auto_mapping", "megatron_core", "peft_version", "runtime_config", "eva_config", "corda_config", "qalora_group_size",
        "ensure_weight_tying",
    };

    /// <summary>PEFT options that change the adapter's meaning; Peft accepts only their default (null, false or empty).</summary>
    private static readonly HashSet<string> DefaultOnly = new(StringComparer.Ordinal)
    {
        "layer_replication", "lora_bias", "use_qalora", "trainable_token_indices", "target_parameters", "alora_invocation_tokens",
        "arrow_config", "megatron_config",
    };

    private static readonly string[] CreatableInits = { "true", "false", "gaussian" };

    private static readonly string[] LoadableInitPrefixes = { "pissa", "olora", "loftq", "eva", "corda", "orthogonal" };

    public static LoraConfig Parse(string json, string source, ICollection<string> warnings)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false });
        }
        catch (JsonException ex)
        {
            throw new LoraConfigException(source, null, $"not valid JSON ({ex.Message}).", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new LoraConfigException(source, null, $"expected a JSON object; found {root.ValueKind}.");
            }

            var r = new FieldReader(root, source);
            var peftType = r.String("peft_type");
            if (peftType is not null && peftType != "LORA")
            {
                throw new LoraConfigException(source, "peft_type", $"expected \"LORA\"; found \"{peftType}\" (only LoRA adapters are supported).");
            }

            foreach (var property in root.EnumerateObject())
            {
                if (Informational.Contains(property.Name) || Known.Contains(property.Name))
                {
                    continue;
                }

                if (DefaultOnly.Contains(property.Name))
                {
                    if (!IsDefault(property.Value))
                    {
                        if (property.Name == "megatron_config")
                        {
                            warnings.Add($"{source}: field 'megatron_config' is ignored (Megatron layers are not used by Peft).");
                            continue;
                        }

                        throw new LoraConfigException(source, property.Name,
                            $"Peft does not support this PEFT option; expected null, false or empty, found {property.Value.GetRawText()}.");
                    }

                    continue;
                }

                warnings.Add($"{source}: unknown field '{property.Name}' is ignored.");
            }

            if (root.TryGetProperty("loftq_config", out var loftq) && !IsDefault(loftq))
            {
                warnings.Add($"{source}: field 'loftq_config' is ignored; the saved A and B are used as they are.");
            }

            var (targets, targetRegex) = r.StringOrList("target_modules");
            var (exclude, excludeRegex) = r.StringOrList("exclude_modules");
            var (layersPatternList, layersPatternText) = r.StringOrList("layers_pattern");
            var config = new LoraConfig
            {
                R = r.Int("r") ?? 8,
                LoraAlpha = r.Number("lora_alpha") ?? 8,
                LoraDropout = r.Number("lora_dropout") ?? 0,
                TargetModules = targets,
                TargetModulesRegex = targetRegex,
                ExcludeModules = exclude,
                ExcludeModulesRegex = excludeRegex,
                ModulesToSave = r.StringList("modules_to_save"),
                LayersToTransform = r.IntOrList("layers_to_transform"),
                LayersPattern = layersPatternText is null ? layersPatternList : new[] { layersPatternText },
                RankPattern = r.Map("rank_pattern", e => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var v) ? v : (int?)null, "an integer"),
                AlphaPattern = r.Map("alpha_pattern", e => e.ValueKind == JsonValueKind.Number ? e.GetDouble() : (double?)null, "a number"),
                Bias = r.String("bias") ?? "none",
                UseRslora = r.Bool("use_rslora") ?? false,
                UseDora = r.Bool("use_dora") ?? false,
                InitLoraWeights = r.BoolOrString("init_lora_weights") ?? "true",
                FanInFanOut = r.Bool("fan_in_fan_out") ?? false,
                BaseModelNameOrPath = r.String("base_model_name_or_path"),
                Revision = r.String("revision"),
                TaskType = r.String("task_type"),
                InferenceMode = r.Bool("inference_mode") ?? false,
            };
            Validate(config, source, forCreation: false);
            return config;
        }
    }

    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "peft_type", "r", "lora_alpha", "lora_dropout", "target_modules", "exclude_modules", "modules_to_save", "layers_to_transform",
        "layers_pattern", "rank_pattern", "alpha_pattern", "bias", "use_rslora", "use_dora", "init_lora_weights", "fan_in_fan_out",
        "base_model_name_or_path", "revision", "task_type", "inference_mode", "loftq_config",
    };

    private static bool IsDefault(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.False => true,
        JsonValueKind.Array => e.GetArrayLength() == 0,
        JsonValueKind.Object => !e.EnumerateObject().Any(),
        _ => false,
    };

    public static string Write(LoraConfig c)
    {
        object? layersPattern = c.LayersPattern switch
        {
            null => null,
            { Count: 1 } one => one[0],
            var many => many.ToList<object?>(),
        };
        var json = new Dictionary<string, object?>
        {
            ["alpha_pattern"] = c.AlphaPattern.ToDictionary(kv => kv.Key, kv => Number(kv.Value)),
            ["auto_mapping"] = null,
            ["base_model_name_or_path"] = c.BaseModelNameOrPath,
            ["bias"] = c.Bias,
            ["fan_in_fan_out"] = c.FanInFanOut,
            ["inference_mode"] = c.InferenceMode,
            ["init_lora_weights"] = c.InitLoraWeights switch { "true" => true, "false" => false, var s => s },
            ["layer_replication"] = null,
            ["layers_pattern"] = layersPattern,
            ["layers_to_transform"] = c.LayersToTransform?.Select(i => (object?)i).ToList(),
            ["loftq_config"] = new Dictionary<string, object?>(),
            ["lora_alpha"] = Number(c.LoraAlpha),
            ["lora_dropout"] = c.LoraDropout,
            ["megatron_config"] = null,
            ["megatron_core"] = "megatron.core",
            ["modules_to_save"] = c.ModulesToSave?.ToList<object?>(),
            ["peft_type"] = "LORA",
            ["r"] = c.R,
            ["rank_pattern"] = c.RankPattern.ToDictionary(kv => kv.Key, kv => (object?)kv.Value),
            ["revision"] = c.Revision,
            ["target_modules"] = c.TargetModulesRegex ?? (object?)c.TargetModules?.ToList<object?>(),
            ["task_type"] = c.TaskType,
            ["use_dora"] = c.UseDora,
            ["use_rslora"] = c.UseRslora,
        };
        if (c.ExcludeModules is not null || c.ExcludeModulesRegex is not null)
        {
            json["exclude_modules"] = c.ExcludeModulesRegex ?? (object?)c.ExcludeModules!.ToList<object?>();
        }

        return PythonJson.Serialize(json);
    }

    /// <summary>Integral values are written as Python ints (PEFT's <c>lora_alpha: 16</c>), others as floats.</summary>
    private static object Number(double value) =>
        value == Math.Floor(value) && Math.Abs(value) < 1e15 ? (object)(long)value : value;

    public static void Validate(LoraConfig c, string source, bool forCreation)
    {
        void Fail(string field, string problem) => throw new LoraConfigException(source, field, problem);

        if (c.R <= 0)
        {
            Fail("r", $"expected a positive integer; found {c.R}.");
        }

        if (!double.IsFinite(c.LoraAlpha))
        {
            Fail("lora_alpha", $"expected a finite number; found {c.LoraAlpha.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (!(c.LoraDropout >= 0 && c.LoraDropout < 1))
        {
            Fail("lora_dropout", $"expected a probability in [0, 1); found {c.LoraDropout.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (c.Bias is not ("none" or "all" or "lora_only"))
        {
            Fail("bias", $"expected \"none\", \"all\" or \"lora_only\"; found \"{c.Bias}\".");
        }

        if (c.TargetModules is not null && c.TargetModulesRegex is not null)
        {
            Fail("target_modules", "give either a list (TargetModules) or a regex (TargetModulesRegex), not both.");
        }

        if (c.ExcludeModules is not null && c.ExcludeModulesRegex is not null)
        {
            Fail("exclude_modules", "give either a list (ExcludeModules) or a regex (ExcludeModulesRegex), not both.");
        }

        CheckRegex(c.TargetModulesRegex is LoraConfig.AllLinear ? null : c.TargetModulesRegex, "target_modules", source);
        CheckRegex(c.ExcludeModulesRegex, "exclude_modules", source);
        if (c.TargetModules is { } list && list.Any(string.IsNullOrEmpty))
        {
            Fail("target_modules", "entries must be non-empty module names.");
        }

        if (c.LayersToTransform is { } layers && layers.Any(i => i < 0))
        {
            Fail("layers_to_transform", $"expected non-negative layer indices; found [{string.Join(", ", layers)}].");
        }

        if (c.TargetModulesRegex is not null && c.LayersToTransform is { Count: > 0 })
        {
            Fail("layers_to_transform", "cannot be used when target_modules is a regex string (as in PEFT); put the layer indices in the regex.");
        }

        if (c.LayersPattern is { Count: > 0 } && c.LayersToTransform is null)
        {
            Fail("layers_pattern", "is only used together with layers_to_transform, which is not set.");
        }

        foreach (var (pattern, rank) in c.RankPattern)
        {
            CheckRegex(pattern, "rank_pattern", source);
            if (rank <= 0)
            {
                Fail("rank_pattern", $"rank for '{pattern}' must be a positive integer; found {rank}.");
            }
        }

        foreach (var (pattern, alpha) in c.AlphaPattern)
        {
            CheckRegex(pattern, "alpha_pattern", source);
            if (!double.IsFinite(alpha))
            {
                Fail("alpha_pattern", $"alpha for '{pattern}' must be a finite number; found {alpha.ToString(CultureInfo.InvariantCulture)}.");
            }
        }

        var init = c.InitLoraWeights;
        var loadable = CreatableInits.Contains(init) || LoadableInitPrefixes.Any(p => init.StartsWith(p, StringComparison.OrdinalIgnoreCase));
        if (!loadable || (forCreation && !CreatableInits.Contains(init)))
        {
            Fail("init_lora_weights", $"expected true, false or \"gaussian\"{(forCreation ? string.Empty : " (or a PEFT method name when loading saved weights)")}; found \"{init}\".");
        }

        if (c.TaskType is not (null or "CAUSAL_LM"))
        {
            Fail("task_type", $"expected \"CAUSAL_LM\" (Peft builds causal language models); found \"{c.TaskType}\".");
        }

        if (c.ModulesToSave is { } save && save.Any(string.IsNullOrEmpty))
        {
            Fail("modules_to_save", "entries must be non-empty module names.");
        }
    }

    private static void CheckRegex(string? pattern, string field, string source)
    {
        if (pattern is null)
        {
            return;
        }

        try
        {
            _ = new Regex(pattern, RegexOptions.CultureInvariant);
        }
        catch (ArgumentException ex)
        {
            throw new LoraConfigException(source, field, $"'{pattern}' is not a valid regular expression ({ex.Message}).", ex);
        }
    }
}
