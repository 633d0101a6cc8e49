using static TorchSharp.torch;

namespace Peft.Adapters;

/// <summary>PEFT's <c>add_weighted_adapter(..., combination_type="cat")</c>: concatenates weighted adapters into one of summed rank.</summary>
internal static class WeightedAdapter
{
    public static void Add(PeftModel peft, IReadOnlyList<string> adapters, IReadOnlyList<double> weights, string newName, string combination)
    {
        ArgumentNullException.ThrowIfNull(adapters);
        ArgumentNullException.ThrowIfNull(weights);
        if (combination != "cat")
        {
            throw new NotSupportedException($"Combination type '{combination}' is not supported; only \"cat\" is (exact, rank = sum of ranks).");
        }

        if (adapters.Count == 0 || adapters.Count != weights.Count)
        {
            throw new ArgumentException($"Expected one weight per adapter and at least one adapter; found {adapters.Count} adapters and {weights.Count} weights.", nameof(weights));
        }

        var access = peft.State;
        var configs = new List<LoraConfig>();
        foreach (var name in adapters)
        {
            if (!access.Configs.TryGetValue(name, out var c))
            {
                throw new ArgumentException($"No adapter named '{name}'; adapters: [{string.Join(", ", access.Configs.Keys)}].", nameof(adapters));
            }

            if (c.UseDora)
            {
                throw new ArgumentException($"Adapter '{name}' uses DoRA, whose magnitudes cannot be combined by concatenation.", nameof(adapters));
            }

            configs.Add(c);
        }

        if (configs.Select(c => c.TargetModulesRegex is null).Distinct().Count() > 1)
        {
            throw new ArgumentException("All adapters must give target_modules the same way (all lists or all regex strings), as PEFT requires.", nameof(adapters));
        }

        var rank = configs.Sum(c => c.R);
        var layers = access.Layers.Where(l => adapters.Any(a => l.Value.TryGetAdapter(a, out _))).Select(l => l.Key).ToList();
        var config = configs[0] with
        {
            R = rank,
            LoraAlpha = rank, // scaling 1: the weights and scalings are folded into A
            UseRslora = false,
            RankPattern = new Dictionary<string, int>(),
            AlphaPattern = new Dictionary<string, double>(),
            ModulesToSave = null,
            InferenceMode = false,
            TargetModules = configs[0].TargetModulesRegex is null ? configs.SelectMany(c => c.TargetModules ?? new[] { "q_proj", "v_proj" }).Distinct().ToList() : null,
            TargetModulesRegex = configs[0].TargetModulesRegex is null ? null : string.Join("|", configs.Select(c => $"({c.TargetModulesRegex})")),
        };

        // The saved config must reproduce exactly these layers; when the combined rules would not, name them in full.
        var resolved = TargetMatcher.ResolveTargets(access.Model, config, "LoraConfig");
        if (!resolved.ToHashSet(StringComparer.Ordinal).SetEquals(layers))
        {
            config = config with
            {
                TargetModules = layers, TargetModulesRegex = null, LayersToTransform = null, LayersPattern = null,
                ExcludeModules = null, ExcludeModulesRegex = null,
            };
        }

        peft.Inject(newName, config, layers, (path, baseLayer) =>
        {
            var layer = access.Layers[path];
            var parts = adapters.Select((a, i) => (Found: layer.TryGetAdapter(a, out var w), Weights: w, Weight: weights[i]))
                .Where(p => p.Found).ToList();
            var used = parts.Sum(p => p.Weights.Rank);
            if (used > rank)
            {
                throw new ArgumentException($"At '{path}' the adapters' ranks add up to {used}, more than the combined rank {rank} (rank_pattern raised them).", nameof(adapters));
            }

            using var scope = NewDisposeScope();
            using var guard = no_grad();
            var a = zeros(new[] { rank, baseLayer.InFeatures }, ScalarType.Float32, access.Model.Device);
            var b = zeros(new[] { baseLayer.OutFeatures, rank }, ScalarType.Float32, access.Model.Device);
            a.narrow(0, 0, used).copy_(cat(parts.Select(p => p.Weights.A.detach() * (p.Weight * p.Weights.Scaling)).ToList(), 0));
            b.narrow(1, 0, used).copy_(cat(parts.Select(p => (Tensor)p.Weights.B.detach()).ToList(), 1));
            return LoraAdapterWeights.FromTensors(rank, rank, config, a.MoveToOuterDisposeScope(), b.MoveToOuterDisposeScope(), null);
        }, copies: null);
    }
}
