using System.Text.Json.Nodes;

namespace Peft.Models;

/// <summary>
/// A model's <c>generation_config.json</c>: default decoding settings that generation starts from. Every field
/// is optional; absent fields are null.
/// </summary>
public sealed record GenerationConfig
{
    /// <summary><c>bos_token_id</c>.</summary>
    public int? BosTokenId { get; init; }

    /// <summary><c>eos_token_id</c>: one id or several (Llama 3 lists both &lt;|end_of_text|&gt; and &lt;|eot_id|&gt;).</summary>
    public IReadOnlyList<int> EosTokenIds { get; init; } = Array.Empty<int>();

    /// <summary><c>pad_token_id</c>.</summary>
    public int? PadTokenId { get; init; }

    /// <summary><c>do_sample</c>.</summary>
    public bool? DoSample { get; init; }

    /// <summary><c>temperature</c>.</summary>
    public double? Temperature { get; init; }

    /// <summary><c>top_k</c>.</summary>
    public int? TopK { get; init; }

    /// <summary><c>top_p</c>.</summary>
    public double? TopP { get; init; }

    /// <summary><c>repetition_penalty</c>.</summary>
    public double? RepetitionPenalty { get; init; }

    /// <summary><c>max_new_tokens</c>.</summary>
    public int? MaxNewTokens { get; init; }

    /// <summary>Reads <c>generation_config.json</c> from a model folder; returns an empty config when the file is absent.</summary>
    /// <exception cref="ModelConfigException">The file is not valid JSON or a field has the wrong type.</exception>
    public static GenerationConfig Load(string folder)
    {
        var file = Path.Combine(folder, "generation_config.json");
        if (!File.Exists(file))
        {
            return new GenerationConfig();
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

        T? Get<T>(string name) where T : struct
        {
            var node = json[name];
            if (node is null)
            {
                return null;
            }

            return node is JsonValue v && v.TryGetValue<T>(out var value)
                ? value
                : throw new ModelConfigException(file, name, $"expected {typeof(T).Name}; found {node.ToJsonString()}.");
        }

        IReadOnlyList<int> Ids(string name) => json[name] switch
        {
            null => Array.Empty<int>(),
            JsonArray a => a.Select((n, i) => n is JsonValue v && v.TryGetValue<int>(out var id)
                ? id
                : throw new ModelConfigException(file, $"{name}[{i}]", "expected an integer.")).ToArray(),
            _ => new[] { Get<int>(name)!.Value },
        };

        return new GenerationConfig
        {
            BosTokenId = Get<int>("bos_token_id"),
            EosTokenIds = Ids("eos_token_id"),
            PadTokenId = Get<int>("pad_token_id"),
            DoSample = Get<bool>("do_sample"),
            Temperature = Get<double>("temperature"),
            TopK = Get<int>("top_k"),
            TopP = Get<double>("top_p"),
            RepetitionPenalty = Get<double>("repetition_penalty"),
            MaxNewTokens = Get<int>("max_new_tokens"),
        };
    }
}
