using System.Globalization;
using System.Text.RegularExpressions;
using Peft.Models;
using Peft.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Adapters;

/// <summary>
/// PEFT's module-selection rules (<c>check_target_module_exists</c>, <c>get_pattern_key</c>, <c>_set_trainable</c>)
/// applied to a <see cref="CausalLM"/>'s module tree.
/// </summary>
internal static class TargetMatcher
{
    /// <summary>PEFT's default targets for llama, mistral and qwen2 when <c>target_modules</c> is null.</summary>
    private static readonly string[] DefaultTargets = { "q_proj", "v_proj" };

    /// <summary>Every module below the root, by dotted path, not descending into LoRA wrappers.</summary>
    public static List<(string Path, nn.Module Module)> Modules(nn.Module root)
    {
        var result = new List<(string, nn.Module)>();
        void Walk(nn.Module module, string prefix)
        {
            foreach (var (name, child) in module.named_children())
            {
                var path = prefix.Length == 0 ? name : prefix + "." + name;
                result.Add((path, child));
                if (child is not LoraLinear)
                {
                    Walk(child, path);
                }
            }
        }

        Walk(root, string.Empty);
        return result;
    }

    private static bool IsLinear(nn.Module module) => module is ILinearLayer and nn.Module<Tensor, Tensor>;

    /// <summary>The paths of the linear layers a config targets, in model order.</summary>
    /// <exception cref="LoraConfigException">Nothing matches (the message lists the available linear modules), or a non-linear module matches.</exception>
    public static List<string> ResolveTargets(CausalLM model, LoraConfig config, string source)
    {
        var modules = Modules(model);
        var allLinear = string.Equals(config.TargetModulesRegex, LoraConfig.AllLinear, StringComparison.OrdinalIgnoreCase);
        var matched = modules.Where(m => allLinear
            ? IsLinear(m.Module) && m.Path != "lm_head" && !Excluded(config, m.Path) && !SavedInFull(config, m.Path)
            : IsTargeted(config, m.Path)).ToList();

        var unsupported = matched.Where(m => !IsLinear(m.Module)).ToList();
        if (unsupported.Count > 0)
        {
            throw new LoraConfigException(source, "target_modules",
                $"LoRA can only wrap linear layers, but the targets match {string.Join(", ", unsupported.Take(10).Select(m => $"{m.Path} ({m.Module.GetType().Name})"))}" +
                $"{(unsupported.Count > 10 ? $" and {unsupported.Count - 10} more" : string.Empty)}.");
        }

        if (matched.Count == 0)
        {
            var linear = modules.Where(m => IsLinear(m.Module)).Select(m => m.Path).ToList();
            var names = linear.Select(p => p[(p.LastIndexOf('.') + 1)..]).Distinct().ToList();
            throw new LoraConfigException(source, "target_modules",
                $"{Describe(config)} matches no module of the model. Available linear modules: {string.Join(", ", names)} " +
                $"(full paths such as {string.Join(", ", linear.Take(3))}).");
        }

        return matched.Select(m => m.Path).ToList();
    }

    private static string Describe(LoraConfig config) =>
        config.TargetModulesRegex is { } regex ? $"the regex '{regex}'"
        : $"[{string.Join(", ", config.TargetModules ?? DefaultTargets)}]" +
          (config.LayersToTransform is { Count: > 0 } layers ? $" in layers [{string.Join(", ", layers)}]" : string.Empty);

    /// <summary>PEFT's <c>check_target_module_exists</c> for one module path.</summary>
    public static bool IsTargeted(LoraConfig config, string key)
    {
        if (Excluded(config, key))
        {
            return false;
        }

        if (SavedInFull(config, key))
        {
            return false; // never wrap a module that is trained in full
        }

        if (config.TargetModulesRegex is { } regex)
        {
            return FullMatch(regex, key);
        }

        var targets = config.TargetModules ?? DefaultTargets;
        if (targets.Contains(key))
        {
            return true;
        }

        if (!targets.Any(t => key.EndsWith("." + t, StringComparison.Ordinal)))
        {
            return false;
        }

        if (config.LayersToTransform is not { Count: > 0 } layers)
        {
            return true;
        }

        var index = LayerIndex(key, config.LayersPattern);
        return index is not null && layers.Contains(index.Value);
    }

    /// <summary>PEFT never targets a <c>modules_to_save</c> module or anything inside one: <c>(^|.*\.)m($|\..*)</c>.</summary>
    private static bool SavedInFull(LoraConfig config, string key) =>
        config.ModulesToSave is { } save && save.Any(m => Regex.IsMatch(key, $"(^|.*\\.){m}($|\\..*)", RegexOptions.CultureInvariant));

    private static bool Excluded(LoraConfig config, string key) =>
        (config.ExcludeModulesRegex is { } regex && FullMatch(regex, key)) ||
        (config.ExcludeModules is { } list && (list.Contains(key) || list.Any(e => key.EndsWith("." + e, StringComparison.Ordinal))));

    /// <summary>The layer index in a path: the number after <c>.&lt;pattern&gt;.</c>, or after any segment when no pattern is given.</summary>
    private static int? LayerIndex(string key, IReadOnlyList<string>? patterns)
    {
        var candidates = patterns is { Count: > 0 } ? patterns.Select(p => $"^.*\\.{p}\\.(\\d+)\\.") : new[] { @"^.*\.[^.]*\.(\d+)\." };
        foreach (var pattern in candidates)
        {
            var match = Regex.Match(key, pattern, RegexOptions.CultureInvariant);
            if (match.Success)
            {
                return int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    private static bool FullMatch(string pattern, string key) =>
        Regex.IsMatch(key, $"^(?:{pattern})\\z", RegexOptions.CultureInvariant);

    /// <summary>The rank and α of one module: the first <c>rank_pattern</c>/<c>alpha_pattern</c> key matching <c>(.*\.)?(key)$</c>, else r and lora_alpha.</summary>
    public static (int Rank, double Alpha) RankAndAlpha(LoraConfig config, string key)
    {
        var rank = config.R;
        foreach (var (pattern, value) in config.RankPattern)
        {
            if (PatternMatches(pattern, key))
            {
                rank = value;
                break;
            }
        }

        var alpha = config.LoraAlpha;
        foreach (var (pattern, value) in config.AlphaPattern)
        {
            if (PatternMatches(pattern, key))
            {
                alpha = value;
                break;
            }
        }

        return (rank, alpha);
    }

    private static bool PatternMatches(string pattern, string key) =>
        Regex.IsMatch(key, $"^(.*\\.)?({pattern})$", RegexOptions.CultureInvariant);

    /// <summary>
    /// The modules named by <c>modules_to_save</c>: every module whose path ends with an entry (plain suffix, as
    /// PEFT's <c>_set_trainable</c>), outermost only, with each entry that matched nothing.
    /// </summary>
    public static (List<string> Paths, List<string> Unmatched) ResolveModulesToSave(CausalLM model, IReadOnlyList<string>? names)
    {
        if (names is not { Count: > 0 })
        {
            return (new List<string>(), new List<string>());
        }

        var paths = new List<string>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, _) in Modules(model))
        {
            var hit = names.FirstOrDefault(n => path.EndsWith(n, StringComparison.Ordinal));
            if (hit is null)
            {
                continue;
            }

            used.Add(hit);
            if (!paths.Any(p => path.StartsWith(p + ".", StringComparison.Ordinal)))
            {
                paths.Add(path);
            }
        }

        return (paths, names.Where(n => !used.Contains(n)).ToList());
    }
}
