using Microsoft.Extensions.Logging;
using Peft.Models;
using Peft.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Adapters;

public sealed partial class PeftModel
{
    /// <summary>Adds another adapter (initialised per its config); the active adapter does not change (PEFT's <c>add_adapter</c>).</summary>
    /// <param name="adapterName">A new, unique name (no '.', '/' or '\').</param>
    /// <param name="config">The adapter's settings; its targets may differ from other adapters'.</param>
    /// <exception cref="ArgumentException">The name is invalid or already used.</exception>
    /// <exception cref="LoraConfigException">A config value is invalid or the targets match no linear layer.</exception>
    public void AddAdapter(string adapterName, LoraConfig config)
    {
        ThrowIfReleased();
        ArgumentNullException.ThrowIfNull(config);
        CheckNewName(adapterName);
        const string source = "LoraConfig";
        config.Validate(source, forCreation: true);
        config = Normalize(config, source);
        var (saveUnmatched, targets) = Resolve(config, source);
        config = ResolveAllLinear(config, targets, source);
        if (saveUnmatched.Count > 0)
        {
            throw new LoraConfigException(source, "modules_to_save",
                $"[{string.Join(", ", saveUnmatched)}] match no module of the model (entries match module paths by suffix, e.g. lm_head, embed_tokens).");
        }

        Inject(adapterName, config, targets, (path, baseLayer) =>
        {
            var (rank, alpha) = TargetMatcher.RankAndAlpha(config, path);
            return LoraAdapterWeights.Create(baseLayer, _model.Device, rank, alpha, config);
        }, copies: null);
    }

    /// <summary>Makes an adapter the one used by <see cref="Forward"/> and trained (unless it was loaded for inference); unmerges first if needed.</summary>
    /// <param name="adapterName">An existing adapter.</param>
    /// <exception cref="ArgumentException">No adapter has that name.</exception>
    public void SetAdapter(string adapterName)
    {
        ThrowIfReleased();
        RequireAdapter(adapterName);
        if (IsMerged)
        {
            _logger?.LogWarning("Adapter cannot be set when the model is merged. Unmerging the model first.");
            Unmerge();
        }

        _active = adapterName;
        ApplyActive();
        RefreshTrainable();
    }

    /// <summary>Deletes an adapter and frees its tensors; when it was active, the first remaining adapter becomes active.</summary>
    /// <param name="adapterName">An existing adapter.</param>
    /// <exception cref="ArgumentException">No adapter has that name.</exception>
    public void DeleteAdapter(string adapterName)
    {
        ThrowIfReleased();
        RequireAdapter(adapterName);
        foreach (var layer in _layers.Values)
        {
            layer.RemoveAdapter(adapterName);
        }

        foreach (var (path, saved) in _saved.ToList())
        {
            saved.RemoveCopy(adapterName);
            if (saved.Adapters.Count == 0)
            {
                saved.Dispose();
                _saved.Remove(path);
            }
        }

        _configs.Remove(adapterName);
        if (_active == adapterName)
        {
            _active = _configs.Keys.FirstOrDefault();
            _logger?.LogWarning("Adapter '{Deleted}' was active and has been deleted; active adapter is now {Active}.", adapterName, _active ?? "none");
        }

        ApplyActive();
        RefreshTrainable();
    }

    /// <summary>
    /// Disables every adapter (LoRA layers and <c>modules_to_save</c> copies) until the returned scope is disposed, which
    /// restores the previous state (re-merging if the adapter was merged). Inside, <see cref="Forward"/> gives the base
    /// model's outputs — e.g. a DPO reference model without a second copy of the weights. Scopes nest.
    /// </summary>
    /// <returns>The scope; dispose it to re-enable.</returns>
    public IDisposable DisableAdapters()
    {
        ThrowIfReleased();
        var wasDisabled = _disabled;
        var wasMerged = IsMerged;
        if (wasMerged)
        {
            Unmerge();
        }

        _disabled = true;
        ApplyActive();
        return new Scope(() =>
        {
            if (_released || _disposed)
            {
                return;
            }

            _disabled = wasDisabled;
            ApplyActive();
            if (wasMerged)
            {
                Merge();
            }
        });
    }

    private sealed class Scope : IDisposable
    {
        private Action? _onDispose;

        public Scope(Action onDispose) => _onDispose = onDispose;

        public void Dispose()
        {
            _onDispose?.Invoke();
            _onDispose = null;
        }
    }

    /// <summary>
    /// Adds a new adapter that combines existing ones (PEFT's <c>add_weighted_adapter</c>). With <c>cat</c> the new
    /// adapter's rank is the sum of the ranks, <c>A = [w₁·s₁·A₁; w₂·s₂·A₂; …]</c>, <c>B = [B₁, B₂, …]</c> and
    /// <c>α = r</c>, so that <c>B·A = Σ wᵢ·sᵢ·Bᵢ·Aᵢ</c> exactly. The new adapter is not activated.
    /// </summary>
    /// <param name="adapters">Existing adapters to combine (plain LoRA, not DoRA).</param>
    /// <param name="weights">One weight per adapter.</param>
    /// <param name="newName">The new adapter's name.</param>
    /// <param name="combination">Only <c>cat</c> is supported.</param>
    /// <exception cref="ArgumentException">Names are unknown or taken, counts differ, or the adapters cannot be combined.</exception>
    /// <exception cref="NotSupportedException">Another combination type was asked for.</exception>
    public void AddWeightedAdapter(IReadOnlyList<string> adapters, IReadOnlyList<double> weights, string newName, string combination = "cat")
    {
        ThrowIfReleased();
        CheckNewName(newName);
        WeightedAdapter.Add(this, adapters, weights, newName, combination);
    }

    private void CheckNewName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.IndexOfAny(new[] { '.', '/', '\\' }) >= 0)
        {
            throw new ArgumentException($"Adapter names must be non-empty and contain no '.', '/' or '\\'; found '{name}'.", nameof(name));
        }

        if (_configs.ContainsKey(name))
        {
            throw new ArgumentException($"An adapter named '{name}' already exists; delete it first or choose another name.", nameof(name));
        }
    }

    private void RequireAdapter(string name)
    {
        if (name is null || !_configs.ContainsKey(name))
        {
            throw new ArgumentException($"No adapter named '{name}'; adapters: [{string.Join(", ", _configs.Keys)}].", nameof(name));
        }
    }

    /// <summary>PEFT resets <c>fan_in_fan_out</c> for layers stored [out, in] (every Llama-family projection).</summary>
    private LoraConfig Normalize(LoraConfig config, string source)
    {
        if (!config.FanInFanOut)
        {
            return config;
        }

        _logger?.LogWarning("{Source}: fan_in_fan_out is set to true but the targeted projections store their weights as [out, in]; setting fan_in_fan_out to false.", source);
        return config with { FanInFanOut = false };
    }

    /// <summary>
    /// Like PEFT, replaces <c>all-linear</c> by the names of the layers it selected (their last path segment, e.g.
    /// <c>q_proj</c>), so the saved config lists its targets; full paths when the names would select other modules.
    /// </summary>
    private LoraConfig ResolveAllLinear(LoraConfig config, List<string> targets, string source)
    {
        if (!string.Equals(config.TargetModulesRegex, LoraConfig.AllLinear, StringComparison.OrdinalIgnoreCase))
        {
            return config;
        }

        var names = targets.Select(p => p[(p.LastIndexOf('.') + 1)..]).Distinct().ToList();
        var byName = config with { TargetModulesRegex = null, TargetModules = names };
        return TargetMatcher.ResolveTargets(_model, byName, source).ToHashSet(StringComparer.Ordinal).SetEquals(targets)
            ? byName
            : config with { TargetModulesRegex = null, TargetModules = targets };
    }

    private (List<string> SaveUnmatched, List<string> Targets) Resolve(LoraConfig config, string source)
    {
        var targets = TargetMatcher.ResolveTargets(_model, config, source);
        var (_, unmatched) = TargetMatcher.ResolveModulesToSave(_model, config.ModulesToSave);
        return (unmatched, targets);
    }

    /// <summary>
    /// Adds an adapter: builds every layer's weights first (so a failure leaves the model untouched), then wraps the
    /// targets that are not wrapped yet, attaches the weights and the <c>modules_to_save</c> copies.
    /// </summary>
    internal void Inject(string name, LoraConfig config, IReadOnlyList<string> targets, Func<string, ILinearLayer, LoraAdapterWeights> weightsFor,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, Tensor>>? copies)
    {
        var built = new List<(string Path, LoraAdapterWeights Weights)>();
        try
        {
            foreach (var path in targets)
            {
                var module = ModuleSurgery.Get(_model, path);
                var baseLayer = module is LoraLinear wrapped ? wrapped.Base : (ILinearLayer)module;
                built.Add((path, weightsFor(path, baseLayer)));
            }
        }
        catch
        {
            foreach (var (_, weights) in built)
            {
                weights.Dispose();
            }

            throw;
        }

        var (savePaths, _) = TargetMatcher.ResolveModulesToSave(_model, config.ModulesToSave);
        var newSaved = new Dictionary<string, SavedModule>(StringComparer.Ordinal);
        try
        {
            foreach (var path in savePaths.Where(p => !_saved.ContainsKey(p)))
            {
                newSaved[path] = new SavedModule(_model, path); // validates before anything changes
            }
        }
        catch
        {
            foreach (var (_, weights) in built)
            {
                weights.Dispose();
            }

            throw;
        }

        foreach (var (path, weights) in built)
        {
            if (!_layers.TryGetValue(path, out var layer))
            {
                var module = (nn.Module<Tensor, Tensor>)ModuleSurgery.Get(_model, path);
                layer = new LoraLinear(module);
                layer.train(module.training);
                ModuleSurgery.Replace(_model, path, layer);
                _layers[path] = layer;
            }

            layer.AddAdapter(name, weights);
        }

        foreach (var path in savePaths)
        {
            if (!_saved.TryGetValue(path, out var saved))
            {
                saved = newSaved[path];
                _saved[path] = saved;
            }

            saved.AddCopy(name, copies?.GetValueOrDefault(path));
        }

        _configs[name] = config;
        _active ??= name;
        ApplyActive();
        RefreshTrainable();
    }
}
