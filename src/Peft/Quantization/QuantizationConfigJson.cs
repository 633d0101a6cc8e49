using System.Text.Json;
using System.Text.Json.Nodes;
using Peft.Models;

namespace Peft.Quantization;

/// <summary>Reads and writes <see cref="QuantizationConfig"/> as transformers' <c>BitsAndBytesConfig.to_dict()</c>.</summary>
internal static class QuantizationConfigJson
{
    private const string Field = "quantization_config";

    public static JsonObject Write(QuantizationConfig c)
    {
        var json = new SortedDictionary<string, JsonNode?>(StringComparer.Ordinal)
        {
            ["_load_in_4bit"] = c.LoadIn4Bit,
            ["_load_in_8bit"] = c.LoadIn8Bit,
            ["bnb_4bit_compute_dtype"] = c.Bnb4BitComputeDtype is { } t ? QuantStateJson.DTypeName(t) : null, // null: the model's compute dtype
            ["bnb_4bit_quant_storage"] = "uint8",
            ["bnb_4bit_quant_type"] = FourBitCodebook.Name(c.Bnb4BitQuantType),
            ["bnb_4bit_use_double_quant"] = c.Bnb4BitUseDoubleQuant,
            ["llm_int8_enable_fp32_cpu_offload"] = false,
            ["llm_int8_has_fp16_weight"] = false,
            ["llm_int8_skip_modules"] = c.LlmInt8SkipModules is null ? null : new JsonArray(c.LlmInt8SkipModules.Select(s => (JsonNode?)s).ToArray()),
            ["llm_int8_threshold"] = c.LlmInt8Threshold,
            ["load_in_4bit"] = c.LoadIn4Bit,
            ["load_in_8bit"] = c.LoadIn8Bit,
            ["quant_method"] = "bitsandbytes",
        };
        if (c.Bnb4BitBlockSize != 64)
        {
            json["bnb_4bit_blocksize"] = c.Bnb4BitBlockSize; // not a transformers field; each layer's quant_state also records it
        }

        return new JsonObject(json);
    }

    public static QuantizationConfig Read(JsonObject json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        var method = String(json, "quant_method", source);
        if (method is not null && method != "bitsandbytes")
        {
            throw new ModelConfigException(source, Field + ".quant_method", $"only \"bitsandbytes\" quantization is supported; found \"{method}\".");
        }

        var load4 = Bool(json, "load_in_4bit", source) ?? Bool(json, "_load_in_4bit", source) ?? false;
        var load8 = Bool(json, "load_in_8bit", source) ?? Bool(json, "_load_in_8bit", source) ?? false;
        var typeName = String(json, "bnb_4bit_quant_type", source) ?? "fp4"; // transformers' default
        var type = FourBitCodebook.TryParse(typeName)
            ?? throw new ModelConfigException(source, Field + ".bnb_4bit_quant_type", $"expected \"nf4\" or \"fp4\"; found \"{typeName}\".");
        var computeName = String(json, "bnb_4bit_compute_dtype", source);
        var compute = computeName is null ? (TorchSharp.torch.ScalarType?)null : QuantStateJson.ParseDType(computeName)
            ?? throw new ModelConfigException(source, Field + ".bnb_4bit_compute_dtype", $"expected float32, bfloat16 or float16; found \"{computeName}\".");
        var storage = String(json, "bnb_4bit_quant_storage", source);
        if (storage is not null and not "uint8")
        {
            throw new ModelConfigException(source, Field + ".bnb_4bit_quant_storage", $"only \"uint8\" storage is supported; found \"{storage}\".");
        }

        if (Bool(json, "llm_int8_has_fp16_weight", source) == true)
        {
            throw new ModelConfigException(source, Field + ".llm_int8_has_fp16_weight", "fp16 master weights are not supported; the base stays frozen.");
        }

        List<string>? skip = null;
        if (json["llm_int8_skip_modules"] is JsonArray array)
        {
            skip = new List<string>();
            foreach (var item in array)
            {
                skip.Add(item is JsonValue v && v.TryGetValue<string>(out var s)
                    ? s
                    : throw new ModelConfigException(source, Field + ".llm_int8_skip_modules", "expected a list of module names."));
            }
        }
        else if (json["llm_int8_skip_modules"] is not null)
        {
            throw new ModelConfigException(source, Field + ".llm_int8_skip_modules", "expected a list of module names or null.");
        }

        var config = new QuantizationConfig
        {
            LoadIn4Bit = load4,
            LoadIn8Bit = load8,
            Bnb4BitQuantType = type,
            Bnb4BitUseDoubleQuant = Bool(json, "bnb_4bit_use_double_quant", source) ?? false,
            Bnb4BitComputeDtype = compute,
            Bnb4BitBlockSize = Int(json, "bnb_4bit_blocksize", source) ?? 64,
            LlmInt8Threshold = Number(json, "llm_int8_threshold", source) ?? 6.0,
            LlmInt8SkipModules = skip,
        };
        try
        {
            config.Validate();
        }
        catch (ArgumentException ex)
        {
            throw new ModelConfigException(source, Field, ex.Message, ex);
        }

        return config;
    }

    private static string? String(JsonObject json, string name, string source) => json[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        var other => throw new ModelConfigException(source, $"{Field}.{name}", $"expected a string; found {other.ToJsonString()}."),
    };

    private static bool? Bool(JsonObject json, string name, string source) => json[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        var other => throw new ModelConfigException(source, $"{Field}.{name}", $"expected true or false; found {other.ToJsonString()}."),
    };

    private static double? Number(JsonObject json, string name, string source) => json[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.GetValue<double>(),
        var other => throw new ModelConfigException(source, $"{Field}.{name}", $"expected a number; found {other.ToJsonString()}."),
    };

    private static int? Int(JsonObject json, string name, string source) => json[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var i) => i,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && double.IsInteger(v.GetValue<double>()) => (int)v.GetValue<double>(),
        var other => throw new ModelConfigException(source, $"{Field}.{name}", $"expected an integer; found {other.ToJsonString()}."),
    };
}
