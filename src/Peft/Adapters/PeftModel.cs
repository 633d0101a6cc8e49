using System.Globalization;
using Microsoft.Extensions.Logging;
using Peft.Models;
using Peft.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Linear = Peft.Models.Layers.Linear;

namespace Peft.Adapters;

/// <summary>
/// A <see cref="CausalLM"/> with LoRA adapters injected (PEFT's <c>PeftModel</c> / <c>LoraModel</c>): every targeted
/// projection is replaced in place by a <see cref="LoraLinear"/>, everything else is frozen, and
/// <c>modules_to_save</c> get trainable copies. Several named adapters can live side by side; one is active.
/// </summary>
/// <remarks>
/// The wrapper takes ownership of the model: disposing it disposes the model and every adapter, unless the model
/// was handed back by <see cref="MergeAndUnload"/> or <see cref="Unload"/>. Optimise
/// <see cref="TrainableParameters"/>; get reference outputs of the base model (DPO) inside
/// <c>using (peft.DisableAdapters()) { … }</c>.
/// </remarks>
/// <example>
/// <code>
/// using var peft = PeftModel.Create(CausalLM.FromPretrained("models/SmolLM2-135M"),
///     new LoraConfig { R = 16, LoraAlpha = 32, TargetModulesRegex = LoraConfig.AllLinear });
/// Console.WriteLine(peft.TrainableParametersSummary());
/// var optimizer = torch.optim.AdamW(peft.TrainableParameters().Select(p => p.Parameter), lr: 2e-4);
/// peft.Train();
/// // ... loss = peft.Forward(ids, labels: ids).Loss; loss.backward(); optimizer.step();
/// peft.SaveAdapter("out/adapter");
/// </code>
/// </example>
public sealed partial class PeftModel : IDisposable
{
    private readonly CausalLM _model;
    private readonly ILogger? _logger;
    private readonly Dictionary<string, LoraConfig> _configs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LoraLinear> _layers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SavedModule> _saved = new(StringComparer.Ordinal);
    private string? _active;
    private bool _disabled;
    private bool _released;
    private bool _disposed;

    private PeftModel(CausalLM model, ILogger? logger)
    {
        _model = model;
        _logger = logger;
    }

    /// <summary>Injects a new adapter into a model (PEFT's <c>get_peft_model</c>).</summary>
    /// <param name="model">The base model; modified in place and owned by the result.</param>
    /// <param name="config">The adapter's settings.</param>
    /// <param name="adapterName">The adapter's name; a non-default name becomes a subfolder when saving.</param>
    /// <param name="logger">Receives warnings (ignored options, no-op merges); null for none.</param>
    /// <returns>The model with the adapter active.</returns>
    /// <exception cref="LoraConfigException">A config value is invalid or the targets match no linear layer (the message lists the available ones).</exception>
    public static PeftModel Create(CausalLM model, LoraConfig config, string adapterName = "default", ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(config);
        var peft = new PeftModel(model, logger);
        peft.AddAdapter(adapterName, config);
        return peft;
    }

    /// <summary>Loads a saved adapter (PEFT format) onto a model (PEFT's <c>PeftModel.from_pretrained</c>).</summary>
    /// <param name="model">The base model; modified in place and owned by the result.</param>
    /// <param name="adapterFolder">A folder with adapter_config.json and adapter_model.safetensors.</param>
    /// <param name="adapterName">The name to give the adapter.</param>
    /// <param name="isTrainable">False (the default, as in PEFT) freezes the adapter for inference.</param>
    /// <param name="logger">Receives warnings for ignored config fields; null for none.</param>
    /// <returns>The model with the adapter active.</returns>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="LoraConfigException">adapter_config.json is invalid or targets nothing in this model.</exception>
    /// <exception cref="AdapterMismatchException">The tensors do not fit the model (every problem listed).</exception>
    public static PeftModel FromPretrained(CausalLM model, string adapterFolder, string adapterName = "default", bool isTrainable = false,
        ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var peft = new PeftModel(model, logger);
        peft.LoadAdapter(adapterFolder, adapterName, isTrainable);
        return peft;
    }

    /// <summary>The base model, with <see cref="LoraLinear"/> layers in place of the targeted projections.</summary>
    public CausalLM BaseModel
    {
        get
        {
            ThrowIfReleased();
            return _model;
        }
    }

    /// <summary>Every adapter's config by name (PEFT's <c>peft_config</c>), in the order they were added.</summary>
    public IReadOnlyDictionary<string, LoraConfig> PeftConfig => _configs;

    /// <summary>The adapter names, in the order they were added.</summary>
    public IReadOnlyList<string> Adapters => _configs.Keys.ToList();

    /// <summary>The adapter used by <see cref="Forward"/>, or null when none is left.</summary>
    public string? ActiveAdapter => _active;

    /// <summary>True inside a <see cref="DisableAdapters"/> scope: the model computes the base model's outputs.</summary>
    public bool AdaptersDisabled => _disabled;

    /// <summary>True when the active adapter is merged into the base weights.</summary>
    public bool IsMerged => _layers.Values.Any(l => l.MergedAdapter is not null);

    /// <summary>True in training mode (adapter dropout active).</summary>
    public bool Training => _model.training;

    /// <summary>The wrapped projections by module path.</summary>
    public IReadOnlyDictionary<string, LoraLinear> LoraLayers => _layers;

    /// <summary>Runs the model with the active adapter; same arguments and result as <see cref="CausalLM.Forward"/>.</summary>
    /// <param name="inputIds">[batch, seq] int64 token ids.</param>
    /// <param name="attentionMask">[batch, past + seq] with 1 for real tokens, or null.</param>
    /// <param name="labels">[batch, seq] targets with −100 where no loss is wanted, or null.</param>
    /// <param name="cache">KV cache, or null.</param>
    /// <param name="positionIds">[batch, seq] positions, or null.</param>
    /// <param name="outputHiddenStates">Also return every layer's hidden states.</param>
    /// <returns>Logits [batch, seq, vocab], the loss when labels were given, and optional hidden states.</returns>
    public CausalLMOutput Forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? labels = null, KvCache? cache = null,
        Tensor? positionIds = null, bool outputHiddenStates = false)
    {
        ThrowIfReleased();
        return _model.Forward(inputIds, attentionMask, labels, cache, positionIds, outputHiddenStates);
    }

    /// <summary>Switches to training mode (adapter dropout on) or back.</summary>
    /// <param name="on">True for training, false for evaluation.</param>
    public void Train(bool on = true)
    {
        ThrowIfReleased();
        _model.train(on);
    }

    /// <summary>Switches to evaluation mode (no dropout).</summary>
    public void Eval() => Train(false);

    /// <summary>
    /// The parameters an optimizer should update, named as in PEFT's <c>named_parameters()</c>
    /// (<c>base_model.model.&lt;path&gt;.lora_A.&lt;adapter&gt;.weight</c>, <c>….modules_to_save.&lt;adapter&gt;.weight</c>,
    /// <c>….base_layer.bias</c>): the active adapter's LoRA factors (and DoRA magnitudes), its
    /// <c>modules_to_save</c> copies and, per its <c>bias</c> setting, biases. Empty for an adapter loaded for inference.
    /// </summary>
    /// <returns>Name and parameter pairs in model order.</returns>
    public IReadOnlyList<(string Name, Parameter Parameter)> TrainableParameters()
    {
        ThrowIfReleased();
        return NamedParameters().Where(p => p.Parameter.requires_grad).ToList();
    }

    /// <summary>Trainable and total parameter counts as PEFT counts them (adapters, copies and base; quantized weights by element).</summary>
    /// <returns>(trainable, all).</returns>
    public (long Trainable, long All) GetNbTrainableParameters()
    {
        ThrowIfReleased();
        long all = 0;
        foreach (var (_, module) in TargetMatcher.Modules(_model).Prepend((string.Empty, (nn.Module)_model)))
        {
            all += module switch
            {
                LoraLinear lora when lora.BaseLayer is not Linear => lora.InFeatures * lora.OutFeatures + (lora.Bias?.numel() ?? 0),
                LoraLinear lora => lora.BaseLayer.parameters().Sum(p => p.numel()),
                _ => module.named_parameters(recurse: false).Sum(p => p.parameter.numel()),
            };
        }

        all += _layers.Values.Sum(l => l.AdapterNames.Sum(a => l.Adapter(a).ParameterCount));
        all += _saved.Values.Sum(s => s.Adapters.Count * s.ParameterCount);
        var trainable = TrainableParameters().Sum(p => p.Parameter.numel());
        return (trainable, all);
    }

    /// <summary>PEFT's <c>print_trainable_parameters</c> line: <c>trainable params: N || all params: M || trainable%: P</c>.</summary>
    /// <returns>The line, with thousands separators and four decimals as PEFT prints it.</returns>
    public string TrainableParametersSummary()
    {
        var (trainable, all) = GetNbTrainableParameters();
        var percent = all == 0 ? 0 : 100.0 * trainable / all;
        return string.Create(CultureInfo.InvariantCulture, $"trainable params: {trainable:N0} || all params: {all:N0} || trainable%: {percent:F4}");
    }

    /// <summary>Every adapter-owned tensor and trainable-capable bias with its PEFT name, in model order.</summary>
    private IEnumerable<(string Name, Parameter Parameter)> NamedParameters()
    {
        foreach (var (path, layer) in _layers)
        {
            foreach (var adapter in layer.AdapterNames)
            {
                foreach (var (kind, p) in layer.Adapter(adapter).Parameters())
                {
                    yield return ($"base_model.model.{path}.{kind}.{adapter}.weight", p);
                }
            }
        }

        var copies = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        foreach (var (path, saved) in _saved)
        {
            foreach (var adapter in saved.Adapters)
            {
                foreach (var (name, p) in saved.Copy(adapter))
                {
                    copies.Add(p);
                    yield return ($"base_model.model.{path}.modules_to_save.{adapter}.{name}", p);
                }
            }
        }

        foreach (var (name, p) in _model.named_parameters())
        {
            if (!copies.Contains(p) && (name == "bias" || name.EndsWith(".bias", StringComparison.Ordinal)))
            {
                yield return ("base_model.model." + name, p);
            }
        }
    }

    /// <summary>Pushes the active adapter and the disabled flag to every layer and <c>modules_to_save</c> module.</summary>
    private void ApplyActive()
    {
        foreach (var layer in _layers.Values)
        {
            layer.ActiveAdapter = _active;
            layer.AdaptersDisabled = _disabled;
        }

        foreach (var saved in _saved.Values)
        {
            saved.Install(_disabled ? null : _active);
        }
    }

    /// <summary>Freezes everything, then unfreezes what the active adapter trains (none when it is in inference mode).</summary>
    private void RefreshTrainable()
    {
        foreach (var p in _model.parameters())
        {
            p.requires_grad = false;
        }

        var trainable = _active is not null && !_configs[_active].InferenceMode;
        foreach (var layer in _layers.Values)
        {
            foreach (var adapter in layer.AdapterNames)
            {
                layer.Adapter(adapter).SetRequiresGrad(trainable && adapter == _active);
            }
        }

        foreach (var saved in _saved.Values)
        {
            foreach (var adapter in saved.Adapters)
            {
                foreach (var p in saved.Copy(adapter).Values)
                {
                    p.requires_grad = trainable && adapter == _active;
                }
            }
        }

        if (!trainable)
        {
            return;
        }

        switch (_configs[_active!].Bias)
        {
            case "all":
                foreach (var (name, p) in _model.named_parameters())
                {
                    if (name == "bias" || name.EndsWith(".bias", StringComparison.Ordinal))
                    {
                        p.requires_grad = true;
                    }
                }

                break;
            case "lora_only":
                foreach (var layer in _layers.Values.Where(l => l.TryGetAdapter(_active!, out _)))
                {
                    if (layer.Bias is { } bias)
                    {
                        bias.requires_grad = true;
                    }
                }

                break;
        }
    }

    private void ThrowIfReleased()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_released)
        {
            throw new InvalidOperationException("The model was handed back by MergeAndUnload or Unload; this PeftModel can no longer be used.");
        }
    }

    /// <summary>Frees the model and every adapter (not after <see cref="MergeAndUnload"/> or <see cref="Unload"/>, which hand the model back).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_released)
        {
            return;
        }

        foreach (var saved in _saved.Values)
        {
            saved.Dispose();
        }

        foreach (var layer in _layers.Values)
        {
            layer.ReleaseAdapters();
        }

        _model.Dispose();
    }
}
