using Microsoft.Extensions.Logging;

namespace Peft.Adapters;

/// <summary>
/// The settings of one LoRA adapter, mirroring Python PEFT's <c>LoraConfig</c> field for field (each property names
/// its <c>adapter_config.json</c> field). Immutable: derive variants with <c>with</c>.
/// </summary>
/// <remarks>
/// <para>A targeted projection <c>y = W0·x + b</c> becomes <c>y = W0·x + b + s·B·A·dropout(x)</c> with
/// <c>A</c> = <c>lora_A</c> [r, in], <c>B</c> = <c>lora_B</c> [out, r] and <c>s = α/r</c>
/// (<c>s = α/√r</c> with <see cref="UseRslora"/>). With <see cref="UseDora"/> the weight is decomposed into a
/// trainable magnitude <c>m</c> [out] and a direction: <c>W' = m ⊙ (W0 + s·B·A) / ‖W0 + s·B·A‖_row</c>, the row
/// norm treated as a constant in the backward pass (as in PEFT and the DoRA paper, §4.3).</para>
/// <para>Target matching follows PEFT: <see cref="TargetModules"/> matches a module whose path equals an entry
/// or ends with <c>.</c> + entry; <see cref="TargetModulesRegex"/> must match the whole path; the regex
/// <c>all-linear</c> selects every linear projection except <c>lm_head</c>. <see cref="LayersToTransform"/>
/// (with <see cref="LayersPattern"/>) restricts list matches to the given layer indices.</para>
/// </remarks>
/// <example>
/// <code>
/// var config = new LoraConfig { R = 16, LoraAlpha = 32, TargetModules = new[] { "q_proj", "v_proj" } };
/// using var peft = PeftModel.Create(model, config);
/// </code>
/// </example>
public sealed record LoraConfig
{
    /// <summary>The shorthand regex value of <c>target_modules</c> that selects every linear layer but the output head.</summary>
    public const string AllLinear = "all-linear";

    /// <summary><c>r</c>: the rank of the update (rows of A, columns of B). Positive.</summary>
    public int R { get; init; } = 8;

    /// <summary><c>lora_alpha</c>: α in the scaling <c>s = α/r</c> (or <c>α/√r</c>).</summary>
    public double LoraAlpha { get; init; } = 8;

    /// <summary><c>lora_dropout</c>: dropout probability applied to the adapter's input in training mode; 0 disables it. In [0, 1).</summary>
    public double LoraDropout { get; init; }

    /// <summary>
    /// <c>target_modules</c> as a list: a module is targeted when its path equals an entry or ends with
    /// <c>.</c> + entry (e.g. <c>q_proj</c>, <c>self_attn.q_proj</c>). Null with a null
    /// <see cref="TargetModulesRegex"/> means PEFT's default for the model type (<c>q_proj</c>, <c>v_proj</c>).
    /// </summary>
    public IReadOnlyList<string>? TargetModules { get; init; }

    /// <summary>
    /// <c>target_modules</c> as a string: a regular expression that must match the whole module path, or
    /// <see cref="AllLinear"/>. Mutually exclusive with <see cref="TargetModules"/>.
    /// </summary>
    public string? TargetModulesRegex { get; init; }

    /// <summary><c>exclude_modules</c> as a list (same matching as <see cref="TargetModules"/>): modules never targeted.</summary>
    public IReadOnlyList<string>? ExcludeModules { get; init; }

    /// <summary><c>exclude_modules</c> as a full-match regular expression. Mutually exclusive with <see cref="ExcludeModules"/>.</summary>
    public string? ExcludeModulesRegex { get; init; }

    /// <summary>
    /// <c>modules_to_save</c>: modules (matched by path suffix, as PEFT does) that are trained in full: each adapter
    /// gets its own trainable copy of their parameters, saved in the adapter file as
    /// <c>base_model.model.&lt;path&gt;.&lt;parameter&gt;</c>. Typical: <c>lm_head</c>, <c>embed_tokens</c>.
    /// </summary>
    public IReadOnlyList<string>? ModulesToSave { get; init; }

    /// <summary><c>layers_to_transform</c>: layer indices whose projections are targeted (list targets only); null for all layers.</summary>
    public IReadOnlyList<int>? LayersToTransform { get; init; }

    /// <summary><c>layers_pattern</c>: the name(s) of the layer list in module paths (e.g. <c>layers</c>), used with <see cref="LayersToTransform"/>.</summary>
    public IReadOnlyList<string>? LayersPattern { get; init; }

    /// <summary><c>rank_pattern</c>: per-module rank overrides; a key (a regex) applies to a module whose path matches <c>(.*\.)?(key)$</c>; the first matching key wins.</summary>
    public IReadOnlyDictionary<string, int> RankPattern { get; init; } = new Dictionary<string, int>();

    /// <summary><c>alpha_pattern</c>: per-module α overrides, matched like <see cref="RankPattern"/>.</summary>
    public IReadOnlyDictionary<string, double> AlphaPattern { get; init; } = new Dictionary<string, double>();

    /// <summary>
    /// <c>bias</c>: <c>none</c> (biases frozen), <c>all</c> (every bias of the model trained and saved) or
    /// <c>lora_only</c> (the biases of the targeted projections trained and saved). Trained biases belong to the
    /// base model: they are shared by all adapters and stay changed when adapters are disabled.
    /// </summary>
    public string Bias { get; init; } = "none";

    /// <summary><c>use_rslora</c>: rank-stabilised scaling <c>s = α/√r</c> instead of <c>α/r</c>.</summary>
    public bool UseRslora { get; init; }

    /// <summary><c>use_dora</c>: weight-decomposed LoRA (DoRA) with a trainable magnitude vector per targeted projection.</summary>
    public bool UseDora { get; init; }

    /// <summary>
    /// <c>init_lora_weights</c>: <c>true</c> (A Kaiming-uniform with a = √5, B = 0), <c>gaussian</c> (A ~ N(0, 1/r),
    /// B = 0) or <c>false</c> (A and B both Kaiming-uniform, so a fresh adapter already changes the output; for tests).
    /// Other PEFT methods (<c>pissa</c>, <c>olora</c>, <c>loftq</c>, …) are accepted when loading saved weights only.
    /// </summary>
    public string InitLoraWeights { get; init; } = "true";

    /// <summary>
    /// <c>fan_in_fan_out</c>: whether the base weight is stored [in, out] (GPT-2's Conv1D). Llama-family projections
    /// store [out, in], so PEFT resets it to false for them; so does Peft, with a warning.
    /// </summary>
    public bool FanInFanOut { get; init; }

    /// <summary><c>base_model_name_or_path</c>: the base model this adapter was trained on (informational).</summary>
    public string? BaseModelNameOrPath { get; init; }

    /// <summary><c>revision</c>: the base model's revision (informational).</summary>
    public string? Revision { get; init; }

    /// <summary><c>task_type</c>: <c>CAUSAL_LM</c> for the models Peft supports.</summary>
    public string? TaskType { get; init; } = "CAUSAL_LM";

    /// <summary><c>inference_mode</c>: the adapter is frozen (not trainable). Saved adapters always say true, as PEFT writes them.</summary>
    public bool InferenceMode { get; init; }

    /// <summary>The scaling <c>s</c> for a rank and α: <c>α/r</c>, or <c>α/√r</c> with <see cref="UseRslora"/>.</summary>
    /// <param name="rank">The rank r.</param>
    /// <param name="alpha">The α.</param>
    /// <returns>The factor applied to <c>B·A·x</c>.</returns>
    public double Scaling(int rank, double alpha) => UseRslora ? alpha / Math.Sqrt(rank) : alpha / rank;

    /// <summary>Reads <c>adapter_config.json</c> from an adapter folder (or the file itself).</summary>
    /// <param name="path">A folder holding adapter_config.json, or the file.</param>
    /// <param name="logger">Receives a warning for each unknown or ignored field; null for none.</param>
    /// <returns>The config.</returns>
    /// <exception cref="FileNotFoundException">No adapter_config.json at that location.</exception>
    /// <exception cref="LoraConfigException">The JSON is malformed or a field is invalid or unsupported; the message names the file and field.</exception>
    public static LoraConfig Load(string path, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var file = Directory.Exists(path) ? Path.Combine(path, LoraConfigJson.FileName) : path;
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"No {LoraConfigJson.FileName} found at '{Path.GetFullPath(file)}'.", file);
        }

        var warnings = new List<string>();
        var config = Parse(File.ReadAllText(file), Path.GetFullPath(file), warnings);
        foreach (var warning in warnings)
        {
            logger?.LogWarning("{Warning}", warning);
        }

        return config;
    }

    /// <summary>Parses the text of an <c>adapter_config.json</c> as written by PEFT (or by <see cref="ToJson"/>).</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="source">Where it came from, for messages.</param>
    /// <param name="warnings">Receives one message per unknown or ignored field; null to drop them.</param>
    /// <returns>The config.</returns>
    /// <exception cref="LoraConfigException">The JSON is malformed or a field is invalid or unsupported.</exception>
    public static LoraConfig Parse(string json, string source = "adapter_config.json", ICollection<string>? warnings = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        return LoraConfigJson.Parse(json, source, warnings ?? new List<string>());
    }

    /// <summary>
    /// The config as PEFT writes <c>adapter_config.json</c>: every field of PEFT 0.13's <c>LoraConfig</c>, keys sorted,
    /// indented by 2, floats in Python's notation, no trailing newline.
    /// </summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => LoraConfigJson.Write(this);

    /// <summary>Writes <c>adapter_config.json</c> into a folder (atomically).</summary>
    /// <param name="folder">The adapter folder; created if needed.</param>
    public void Save(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        IO.AtomicFile.WriteAllText(Path.Combine(folder, LoraConfigJson.FileName), ToJson());
    }

    /// <summary>
    /// Checks every value as <see cref="PeftModel.Create"/> will (rank, α, dropout, target and exclude rules, patterns,
    /// <c>bias</c>, an initialisation Peft can perform), throwing for the first invalid one — so a caller can reject a
    /// bad config before loading a model.
    /// </summary>
    /// <exception cref="LoraConfigException">A value is invalid; the message names the field.</exception>
    public void Validate() => Validate("LoraConfig", forCreation: true);

    /// <summary>Checks every value, throwing for the first invalid one.</summary>
    /// <param name="source">Where the config came from, for messages.</param>
    /// <param name="forCreation">Also require an initialisation Peft can perform (not only load).</param>
    /// <exception cref="LoraConfigException">A value is invalid.</exception>
    internal void Validate(string source, bool forCreation) => LoraConfigJson.Validate(this, source, forCreation);
}
