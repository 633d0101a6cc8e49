using Peft.Adapters;
using Peft.Models;
using Peft.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Peft.Tests.Adapters;

/// <summary>One (model, adapters) configuration of the table-driven suite.</summary>
internal sealed record AdapterCase(string Name, Func<ModelConfig> Model, IReadOnlyList<(string Adapter, LoraConfig Config)> Adapters, string Active);

/// <summary>The table of configurations every generic adapter test runs on, and helpers shared by those tests.</summary>
internal static class AdapterCases
{
    private static readonly string[] QV = { "q_proj", "v_proj" };

    private static AdapterCase One(string name, LoraConfig config, Func<ModelConfig>? model = null) =>
        new(name, model ?? (() => TinyModels.Config()), new[] { ("default", config) }, "default");

    public static readonly IReadOnlyList<AdapterCase> All = new[]
    {
        One("plain", new LoraConfig { R = 4, LoraAlpha = 8, TargetModules = QV }),
        One("rslora", new LoraConfig { R = 4, LoraAlpha = 8, UseRslora = true, TargetModules = new[] { "q_proj", "k_proj", "v_proj", "o_proj" } }),
        One("dora", new LoraConfig { R = 4, LoraAlpha = 8, UseDora = true, TargetModules = new[] { "q_proj", "v_proj", "down_proj" } }),
        One("dropout_gaussian", new LoraConfig { R = 4, LoraAlpha = 4, LoraDropout = 0.2, InitLoraWeights = "gaussian", TargetModules = QV }),
        One("regex", new LoraConfig { R = 2, LoraAlpha = 4, TargetModulesRegex = @"model\.layers\.1\.(self_attn\.(q|k)_proj|mlp\.up_proj)" }),
        One("all_linear", new LoraConfig { R = 3, LoraAlpha = 6, TargetModulesRegex = LoraConfig.AllLinear }),
        One("layers_to_transform", new LoraConfig { R = 4, LoraAlpha = 8, TargetModules = QV, LayersToTransform = new[] { 1 } }),
        One("layers_pattern", new LoraConfig { R = 4, LoraAlpha = 8, TargetModules = new[] { "o_proj", "gate_proj" }, LayersToTransform = new[] { 0, 2 }, LayersPattern = new[] { "layers" } },
            () => TinyModels.Config(layers: 3)),
        One("rank_alpha_patterns", new LoraConfig
        {
            R = 4, LoraAlpha = 8, TargetModulesRegex = null, TargetModules = new[] { "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj" },
            RankPattern = new Dictionary<string, int> { ["q_proj"] = 2, ["layers.1.mlp.down_proj"] = 6 },
            AlphaPattern = new Dictionary<string, double> { ["v_proj"] = 3, ["model.layers.0.mlp.up_proj"] = 1.5 },
        }),
        One("modules_to_save", new LoraConfig { R = 4, LoraAlpha = 8, TargetModules = QV, ModulesToSave = new[] { "lm_head", "norm" } }),
        One("modules_to_save_tied", new LoraConfig { R = 4, LoraAlpha = 8, TargetModules = QV, ModulesToSave = new[] { "embed_tokens" } },
            () => TinyModels.Config(tied: true)),
        One("bias_all", new LoraConfig { R = 4, LoraAlpha = 8, TargetModules = QV, Bias = "all" }, () => TinyModels.Config(attentionBias: true)),
        One("bias_lora_only", new LoraConfig { R = 4, LoraAlpha = 8, TargetModules = new[] { "q_proj", "o_proj" }, Bias = "lora_only" },
            () => TinyModels.Config(attentionBias: true)),
        new AdapterCase("multiple", () => TinyModels.Config(modelType: "qwen2"), new[]
        {
            ("first", new LoraConfig { R = 4, LoraAlpha = 8, TargetModules = QV, ModulesToSave = new[] { "lm_head" } }),
            ("second", new LoraConfig { R = 2, LoraAlpha = 2, UseDora = true, TargetModules = new[] { "k_proj", "v_proj", "up_proj" } }),
            ("third", new LoraConfig { R = 3, LoraAlpha = 6, UseRslora = true, TargetModulesRegex = LoraConfig.AllLinear, Bias = "lora_only" }),
        }, "second"),
    };

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var c in All)
        {
            data.Add(c.Name);
        }

        return data;
    }

    public static AdapterCase Get(string name) => All.Single(c => c.Name == name);

    /// <summary>Builds the case's model (fixed seed) and injects its adapters, leaving the case's adapter active.</summary>
    public static PeftModel Build(AdapterCase c, CausalLM? model = null)
    {
        manual_seed(7);
        var peft = PeftModel.Create(model ?? TinyModels.Create(c.Model()), c.Adapters[0].Config, c.Adapters[0].Adapter);
        foreach (var (name, config) in c.Adapters.Skip(1))
        {
            peft.AddAdapter(name, config);
        }

        peft.SetAdapter(c.Active);
        return peft;
    }

    /// <summary>Gives every adapter random non-zero factors (as after training), DoRA magnitudes and saved copies a nudge.</summary>
    public static void Randomize(PeftModel peft, long seed = 11)
    {
        using var generator = new Generator((ulong)seed);
        using var guard = no_grad();
        foreach (var layer in peft.LoraLayers.Values)
        {
            foreach (var adapter in layer.AdapterNames.OrderBy(n => n, StringComparer.Ordinal))
            {
                var w = layer.Adapter(adapter);
                w.A.copy_(randn(w.A.shape, generator: generator) * 0.3);
                w.B.copy_(randn(w.B.shape, generator: generator) * 0.3);
                w.Magnitude?.mul_(1 + 0.1 * randn(w.Magnitude.shape, generator: generator));
            }
        }

        foreach (var saved in peft.State.Saved.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            foreach (var adapter in saved.Value.Adapters.OrderBy(n => n, StringComparer.Ordinal))
            {
                foreach (var (_, p) in saved.Value.Copy(adapter).OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    p.add_(randn(p.shape, generator: generator) * 0.05);
                }
            }
        }
    }

    public static Tensor Ids(int vocab = 64, int batch = 2, int seq = 9, long seed = 3)
    {
        using var generator = new Generator((ulong)seed);
        return randint(0, vocab, new long[] { batch, seq }, generator: generator);
    }

    /// <summary>Logits of a forward pass in evaluation mode, detached.</summary>
    public static Tensor Logits(Func<Tensor, CausalLMOutput> forward, Tensor ids)
    {
        using var guard = no_grad();
        using var output = forward(ids);
        return output.Logits.detach().clone();
    }

    public static float MaxDiff(Tensor a, Tensor b)
    {
        using var d = (a - b).abs().max();
        return d.item<float>();
    }

    /// <summary>Same shape and bit-identical values.</summary>
    public static bool Identical(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape))
        {
            return false;
        }

        using var eq = a.eq(b).all();
        return eq.item<bool>();
    }

    /// <summary>Every dense weight and bias of the base model, cloned.</summary>
    public static Dictionary<string, Tensor> BaseState(CausalLM model) =>
        model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
}
