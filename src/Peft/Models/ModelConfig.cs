using System.Text.Json.Nodes;

namespace Peft.Models;

/// <summary>
/// A decoder-only model's Hugging Face <c>config.json</c>, typed. Supported <c>model_type</c>s: <c>llama</c>,
/// <c>mistral</c>, <c>qwen2</c>. Field names follow the JSON (<c>hidden_size</c> → <see cref="HiddenSize"/>);
/// unknown JSON fields are ignored and kept in <see cref="Raw"/> so a saved model round-trips them.
/// </summary>
public sealed record ModelConfig
{
    /// <summary><c>model_type</c>: llama, mistral or qwen2.</summary>
    public required string ModelType { get; init; }

    /// <summary><c>vocab_size</c>.</summary>
    public required int VocabSize { get; init; }

    /// <summary><c>hidden_size</c>.</summary>
    public required int HiddenSize { get; init; }

    /// <summary><c>intermediate_size</c> of the SwiGLU MLP.</summary>
    public required int IntermediateSize { get; init; }

    /// <summary><c>num_hidden_layers</c>.</summary>
    public required int NumHiddenLayers { get; init; }

    /// <summary><c>num_attention_heads</c>.</summary>
    public required int NumAttentionHeads { get; init; }

    /// <summary><c>num_key_value_heads</c> (GQA/MQA when smaller than the head count); defaults to the head count.</summary>
    public required int NumKeyValueHeads { get; init; }

    /// <summary><c>head_dim</c>; defaults to hidden_size / num_attention_heads.</summary>
    public required int HeadDim { get; init; }

    /// <summary><c>rms_norm_eps</c>.</summary>
    public double RmsNormEps { get; init; } = 1e-6;

    /// <summary><c>rope_theta</c>.</summary>
    public double RopeTheta { get; init; } = 10000.0;

    /// <summary><c>rope_scaling</c>, or null for plain RoPE.</summary>
    public RopeScaling? RopeScaling { get; init; }

    /// <summary><c>max_position_embeddings</c>.</summary>
    public int MaxPositionEmbeddings { get; init; } = 2048;

    /// <summary><c>tie_word_embeddings</c>: the LM head reuses the token embedding matrix.</summary>
    public bool TieWordEmbeddings { get; init; }

    /// <summary>Bias on q/k/v projections (<c>attention_bias</c>; always true for Qwen2).</summary>
    public bool QkvBias { get; init; }

    /// <summary>Bias on the output projection (<c>attention_bias</c> for Llama; false for Qwen2).</summary>
    public bool OutputBias { get; init; }

    /// <summary><c>mlp_bias</c>.</summary>
    public bool MlpBias { get; init; }

    /// <summary><c>hidden_act</c>; only <c>silu</c> is supported.</summary>
    public string HiddenAct { get; init; } = "silu";

    /// <summary>The sliding attention window in tokens, or null for full attention.</summary>
    public int? SlidingWindow { get; init; }

    /// <summary>Qwen2's <c>max_window_layers</c>: layers with this index or higher use the sliding window.</summary>
    public int MaxWindowLayers { get; init; }

    /// <summary><c>torch_dtype</c> (or <c>dtype</c>) as written, e.g. <c>bfloat16</c>; null when absent.</summary>
    public string? TorchDtype { get; init; }

    /// <summary><c>bos_token_id</c>.</summary>
    public int? BosTokenId { get; init; }

    /// <summary><c>eos_token_id</c>: one id or several.</summary>
    public IReadOnlyList<int> EosTokenIds { get; init; } = Array.Empty<int>();

    /// <summary><c>pad_token_id</c>.</summary>
    public int? PadTokenId { get; init; }

    /// <summary><c>initializer_range</c>: standard deviation for randomly initialised weights.</summary>
    public double InitializerRange { get; init; } = 0.02;

    /// <summary>The JSON the config was read from (or an empty object), for round-tripping unknown fields.</summary>
    public JsonObject Raw { get; init; } = new();

    /// <summary>Whether layer <paramref name="layerIndex"/> uses the sliding window.</summary>
    public bool UsesSlidingWindow(int layerIndex) =>
        SlidingWindow is not null && (ModelType != "qwen2" || layerIndex >= MaxWindowLayers);

    /// <summary>The number of parameters the architecture has (embedding, layers, norm, and an untied LM head).</summary>
    public long ParameterCount()
    {
        long h = HiddenSize, q = (long)NumAttentionHeads * HeadDim, kv = (long)NumKeyValueHeads * HeadDim;
        var attention = h * q + 2 * h * kv + q * h + (QkvBias ? q + 2 * kv : 0) + (OutputBias ? h : 0);
        var mlp = 3 * h * IntermediateSize + (MlpBias ? 2L * IntermediateSize + h : 0);
        var layer = attention + mlp + 2 * h;
        var embedding = (long)VocabSize * h;
        return embedding + NumHiddenLayers * layer + h + (TieWordEmbeddings ? 0 : embedding);
    }

    /// <summary>Reads <c>config.json</c> from a model folder (or a config file path).</summary>
    /// <param name="path">A folder containing config.json, or the file itself.</param>
    /// <exception cref="FileNotFoundException">No config.json at that location.</exception>
    /// <exception cref="ModelConfigException">A required field is missing or a value is invalid or unsupported.</exception>
    public static ModelConfig Load(string path)
    {
        var file = Directory.Exists(path) ? Path.Combine(path, "config.json") : path;
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"No config.json found at '{Path.GetFullPath(file)}'.", file);
        }

        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(file)) as JsonObject
                   ?? throw new ModelConfigException(file, null, "the file must hold a JSON object.");
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new ModelConfigException(file, null, $"not valid JSON ({ex.Message}).", ex);
        }

        return Parse(json, file);
    }

    /// <summary>Builds a config from parsed JSON.</summary>
    /// <param name="json">The config object.</param>
    /// <param name="source">Where it came from, for error messages.</param>
    /// <exception cref="ModelConfigException">A required field is missing or a value is invalid or unsupported.</exception>
    public static ModelConfig Parse(JsonObject json, string source = "config.json") => ModelConfigParser.Parse(json, source);

    /// <summary>The config as Hugging Face JSON: the original fields with Peft's typed values written over them.</summary>
    public JsonObject ToJson() => ModelConfigParser.ToJson(this);
}
