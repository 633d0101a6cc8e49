using Peft.Models;
using Peft.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Linear = Peft.Models.Layers.Linear;

namespace Peft.Adapters;

/// <summary>
/// One <c>modules_to_save</c> module (PEFT's <c>ModulesToSaveWrapper</c>): the original parameters plus a trainable
/// copy per adapter. The copy of the active adapter is swapped into the module (registration and field), so the
/// model's own code runs unchanged; disabling adapters swaps the originals back.
/// </summary>
internal sealed class SavedModule : IDisposable
{
    private readonly List<(string Name, nn.Module Owner, string Local)> _slots = new();
    private readonly Dictionary<string, Parameter> _originals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, Parameter>> _copies = new(StringComparer.Ordinal);

    public SavedModule(nn.Module root, string path)
    {
        Path = path;
        var module = ModuleSurgery.Get(root, path);
        Collect(module, string.Empty);
        foreach (var (name, owner, local) in _slots)
        {
            _originals[name] = owner.named_parameters(recurse: false).First(p => p.name == local).parameter;
        }
    }

    private void Collect(nn.Module module, string prefix)
    {
        if (module is LoraLinear)
        {
            throw new LoraConfigException("LoraConfig", "modules_to_save",
                $"'{Path}' holds a LoRA layer of another adapter; a module cannot be both a LoRA target and trained in full.");
        }

        if (module is ILinearLayer and not Linear)
        {
            throw new LoraConfigException("LoraConfig", "modules_to_save",
                $"'{Path}' holds a {module.GetType().Name}; only dense modules can be trained in full (quantized layers cannot).");
        }

        foreach (var (name, _) in module.named_parameters(recurse: false))
        {
            _slots.Add((prefix + name, module, name));
        }

        foreach (var (name, child) in module.named_children())
        {
            Collect(child, prefix + name + ".");
        }
    }

    /// <summary>The module path.</summary>
    public string Path { get; }

    /// <summary>The adapter whose copy is installed, or null for the originals.</summary>
    public string? Installed { get; private set; }

    /// <summary>Parameter names relative to the module, with their shapes.</summary>
    public IEnumerable<(string Name, long[] Shape)> Slots => _slots.Select(s => (s.Name, _originals[s.Name].shape));

    /// <summary>Elements in one set of parameters.</summary>
    public long ParameterCount => _originals.Values.Sum(p => p.numel());

    public IReadOnlyCollection<string> Adapters => _copies.Keys;

    public bool Has(string adapter) => _copies.ContainsKey(adapter);

    public IReadOnlyDictionary<string, Parameter> Copy(string adapter) => _copies[adapter];

    /// <summary>Adds an adapter's copy: clones of the originals, or the given float tensors (taken over) by name.</summary>
    public void AddCopy(string adapter, IReadOnlyDictionary<string, Tensor>? values = null)
    {
        using var guard = no_grad();
        var copy = new Dictionary<string, Parameter>(StringComparer.Ordinal);
        foreach (var (name, original) in _originals)
        {
            var value = values is null ? original.detach().clone() : values[name].to(original.dtype, original.device);
            copy[name] = LoraAdapterWeights.Persistent(value);
        }

        _copies[adapter] = copy;
    }

    /// <summary>Swaps in the copy of <paramref name="adapter"/> (the originals for null or an adapter without a copy).</summary>
    public void Install(string? adapter)
    {
        var target = adapter is not null && _copies.ContainsKey(adapter) ? adapter : null;
        if (target == Installed)
        {
            return;
        }

        foreach (var (name, owner, local) in _slots)
        {
            var parameter = target is null ? _originals[name] : _copies[target][name];
            ModuleSurgery.ReplaceParameter(owner, local, parameter);
        }

        Installed = target;
    }

    /// <summary>Removes and frees one adapter's copy (re-installing the originals if it was installed).</summary>
    public void RemoveCopy(string adapter)
    {
        if (Installed == adapter)
        {
            Install(null);
        }

        if (_copies.Remove(adapter, out var copy))
        {
            foreach (var p in copy.Values)
            {
                p.Dispose();
            }
        }
    }

    /// <summary>Frees everything that is not installed in the module (for unloading).</summary>
    public void ReleaseUninstalled()
    {
        foreach (var adapter in _copies.Keys.Where(a => a != Installed).ToList())
        {
            RemoveCopy(adapter);
        }

        if (Installed is not null)
        {
            foreach (var p in _originals.Values)
            {
                p.Dispose();
            }
        }

        _copies.Clear();
        _originals.Clear();
    }

    public void Dispose() => ReleaseUninstalled();
}
