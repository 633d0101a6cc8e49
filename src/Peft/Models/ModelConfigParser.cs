using System.Text.Json;
using System.Text.Json.Nodes;

namespace Peft.Models;

/// <summary>Parses and writes <see cref="ModelConfig"/> with model-type defaults and field-level errors.</summary>
internal static class ModelConfigParser
{
    /// <summary>The model types Peft can build.</summary>
    internal static readonly IReadOnlyList<string> SupportedModelTypes = new[] { "llama", "mistral", "qwen2" };

    public static ModelConfig Parse(JsonObject json, string source)
    {
        var reader = new Reader(json, source);
        var modelType = reader.String("model_type") ?? throw new ModelConfigException(source, "model_type", "required field is missing.");
        if (!SupportedModelTypes.Contains(modelType))
        {
            throw new ModelConfigException(source, "model_type",
                $"model type '{modelType}' is not supported; supported: {string.Join(", ", SupportedModelTypes)}.");
        }

        var hidden = reader.RequiredInt("hidden_size");
        var heads = reader.RequiredInt("num_attention_heads");
        var kvHeads = reader.Int("num_key_value_heads") ?? heads;
        var headDim = reader.Int("head_dim") ?? (hidden % heads == 0
            ? hidden / heads
            : throw new ModelConfigException(source, "hidden_size", $"{hidden} is not divisible by num_attention_heads {heads} and no head_dim is given."));
        if (kvHeads <= 0 || heads % kvHeads != 0)
        {
            throw new ModelConfigException(source, "num_key_value_heads",
                $"{kvHeads} must be positive and divide num_attention_heads ({heads}).");
        }

        var hiddenAct = reader.String("hidden_act") ?? reader.String("hidden_activation") ?? "silu";
        if (hiddenAct != "silu")
        {
            throw new ModelConfigException(source, "hidden_act", $"'{hiddenAct}' is not supported; expected 'silu'.");
        }

        var attentionBias = reader.Bool("attention_bias") ?? false;
        int? slidingWindow = modelType switch
        {
            "mistral" => reader.Int("sliding_window"),
            "qwen2" => reader.Bool("use_sliding_window") == true ? reader.Int("sliding_window") ?? 4096 : null,
            _ => null,
        };

        return new ModelConfig
        {
            ModelType = modelType,
            VocabSize = reader.RequiredInt("vocab_size"),
            HiddenSize = hidden,
            IntermediateSize = reader.RequiredInt("intermediate_size"),
            NumHiddenLayers = reader.RequiredInt("num_hidden_layers"),
            NumAttentionHeads = heads,
            NumKeyValueHeads = kvHeads,
            HeadDim = headDim,
            RmsNormEps = reader.Double("rms_norm_eps") ?? 1e-6,
            RopeTheta = reader.Double("rope_theta") ?? 10000.0,
            RopeScaling = ParseRopeScaling(json["rope_scaling"], source),
            MaxPositionEmbeddings = reader.Int("max_position_embeddings") ?? 2048,
            TieWordEmbeddings = reader.Bool("tie_word_embeddings") ?? false,
            QkvBias = modelType == "qwen2" || attentionBias,
            OutputBias = modelType != "qwen2" && attentionBias,
            MlpBias = reader.Bool("mlp_bias") ?? false,
            HiddenAct = hiddenAct,
            SlidingWindow = slidingWindow,
            MaxWindowLayers = reader.Int("max_window_layers") ?? 0,
            TorchDtype = reader.String("torch_dtype") ?? reader.String("dtype"),
            BosTokenId = reader.Int("bos_token_id"),
            EosTokenIds = reader.IntList("eos_token_id"),
            PadTokenId = reader.Int("pad_token_id"),
            InitializerRange = reader.Double("initializer_range") ?? 0.02,
            Raw = (JsonObject)json.DeepClone(),
        };
    }

    private static RopeScaling? ParseRopeScaling(JsonNode? node, string source)
    {
        if (node is null)
        {
            return null;
        }

        if (node is not JsonObject obj)
        {
            throw new ModelConfigException(source, "rope_scaling", $"expected an object or null; found {node.GetValueKind()}.");
        }

        var reader = new Reader(obj, source, "rope_scaling.");
        var type = reader.String("rope_type") ?? reader.String("type")
            ?? throw new ModelConfigException(source, "rope_scaling.rope_type", "required field is missing.");
        if (type == "default")
        {
            return null;
        }

        if (!RopeScaling.SupportedTypes.Contains(type))
        {
            throw new ModelConfigException(source, "rope_scaling.rope_type",
                $"rope scaling type '{type}' is not supported; supported: {string.Join(", ", RopeScaling.SupportedTypes)}.");
        }

        var factor = reader.Double("factor") ?? throw new ModelConfigException(source, "rope_scaling.factor", "required field is missing.");
        if (factor < 1.0)
        {
            throw new ModelConfigException(source, "rope_scaling.factor", $"must be at least 1; found {factor}.");
        }

        var original = reader.Int("original_max_position_embeddings");
        if (type == "llama3" && original is null)
        {
            throw new ModelConfigException(source, "rope_scaling.original_max_position_embeddings", "required for rope type 'llama3'.");
        }

        return new RopeScaling(type, factor, reader.Double("low_freq_factor") ?? 1.0, reader.Double("high_freq_factor") ?? 4.0, original);
    }

    public static JsonObject ToJson(ModelConfig c)
    {
        var json = (JsonObject)c.Raw.DeepClone();
        json["model_type"] = c.ModelType;
        json["vocab_size"] = c.VocabSize;
        json["hidden_size"] = c.HiddenSize;
        json["intermediate_size"] = c.IntermediateSize;
        json["num_hidden_layers"] = c.NumHiddenLayers;
        json["num_attention_heads"] = c.NumAttentionHeads;
        json["num_key_value_heads"] = c.NumKeyValueHeads;
        json["head_dim"] = c.HeadDim;
        json["rms_norm_eps"] = c.RmsNormEps;
        json["rope_theta"] = c.RopeTheta;
        json["max_position_embeddings"] = c.MaxPositionEmbeddings;
        json["tie_word_embeddings"] = c.TieWordEmbeddings;
        json["hidden_act"] = c.HiddenAct;
        json["mlp_bias"] = c.MlpBias;
        json["initializer_range"] = c.InitializerRange;
        if (c.ModelType != "qwen2")
        {
            json["attention_bias"] = c.QkvBias;
        }

        json["rope_scaling"] = c.RopeScaling is null ? null : new JsonObject
        {
            ["rope_type"] = c.RopeScaling.Type,
            ["factor"] = c.RopeScaling.Factor,
            ["low_freq_factor"] = c.RopeScaling.LowFreqFactor,
            ["high_freq_factor"] = c.RopeScaling.HighFreqFactor,
            ["original_max_position_embeddings"] = c.RopeScaling.OriginalMaxPositionEmbeddings,
        };
        if (c.ModelType == "mistral")
        {
            json["sliding_window"] = c.SlidingWindow;
        }
        else if (c.ModelType == "qwen2")
        {
            json["use_sliding_window"] = c.SlidingWindow is not null;
            json["max_window_layers"] = c.MaxWindowLayers;
            if (c.SlidingWindow is not null)
            {
                json["sliding_window"] = c.SlidingWindow;
            }
        }

        if (c.TorchDtype is not null)
        {
            json["torch_dtype"] = c.TorchDtype;
        }

        json["bos_token_id"] = c.BosTokenId;
        json["eos_token_id"] = c.EosTokenIds.Count switch
        {
            0 => null,
            1 => c.EosTokenIds[0],
            _ => new JsonArray(c.EosTokenIds.Select(i => (JsonNode?)i).ToArray()),
        };
        if (c.PadTokenId is not null)
        {
            json["pad_token_id"] = c.PadTokenId;
        }

        json["architectures"] ??= new JsonArray(c.ModelType switch
        {
            "mistral" => "MistralForCausalLM",
            "qwen2" => "Qwen2ForCausalLM",
            _ => "LlamaForCausalLM",
        });
        return json;
    }

    /// <summary>Typed access to JSON fields with errors that name the file and field.</summary>
    private readonly struct Reader(JsonObject json, string source, string prefix = "")
    {
        public int RequiredInt(string name) =>
            Int(name) ?? throw new ModelConfigException(source, prefix + name, "required field is missing.");

        public int? Int(string name)
        {
            var node = json[name];
            if (node is null)
            {
                return null;
            }

            if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var i))
            {
                return i;
            }

            if (node is JsonValue d && d.GetValueKind() == JsonValueKind.Number && d.TryGetValue<double>(out var x) && x == Math.Floor(x) && Math.Abs(x) < int.MaxValue)
            {
                return (int)x;
            }

            throw new ModelConfigException(source, prefix + name, $"expected an integer; found {node.ToJsonString()}.");
        }

        public double? Double(string name)
        {
            var node = json[name];
            if (node is null)
            {
                return null;
            }

            if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d))
            {
                return d;
            }

            throw new ModelConfigException(source, prefix + name, $"expected a number; found {node.ToJsonString()}.");
        }

        public bool? Bool(string name)
        {
            var node = json[name];
            if (node is null)
            {
                return null;
            }

            return node.GetValueKind() switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw new ModelConfigException(source, prefix + name, $"expected true or false; found {node.ToJsonString()}."),
            };
        }

        public string? String(string name)
        {
            var node = json[name];
            if (node is null)
            {
                return null;
            }

            return node is JsonValue v && v.TryGetValue<string>(out var s)
                ? s
                : throw new ModelConfigException(source, prefix + name, $"expected a string; found {node.ToJsonString()}.");
        }

        public IReadOnlyList<int> IntList(string name)
        {
            var node = json[name];
            if (node is not JsonArray array)
            {
                return node is null ? Array.Empty<int>() : new[] { RequiredInt(name) };
            }

            var values = new int[array.Count];
            for (var i = 0; i < array.Count; i++)
            {
                values[i] = array[i] is JsonValue v && v.TryGetValue<int>(out var id)
                    ? id
                    : throw new ModelConfigException(source, $"{prefix}{name}[{i}]", $"expected an integer; found {array[i]?.ToJsonString() ?? "null"}.");
            }

            return values;
        }
    }
}
