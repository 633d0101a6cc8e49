using Microsoft.Extensions.Logging;
using Peft.Models;
using TorchSharp;
using static TorchSharp.torch;
using Linear = Peft.Models.Layers.Linear;

namespace Peft.Adapters;

public sealed partial class PeftModel
{
    /// <summary>
    /// Adds the active adapter's update into the dense base weights (<c>W0 ← W0 + s·B·A</c>; DoRA:
    /// <c>W0 ← m ⊙ (W0 + s·B·A) / ‖W0 + s·B·A‖_row</c>), so the forward pass no longer computes the adapter.
    /// Merging an already merged model does nothing (a warning is logged, as PEFT warns).
    /// </summary>
    /// <exception cref="InvalidOperationException">No adapter is active, or adapters are disabled.</exception>
    /// <exception cref="NotSupportedException">A targeted base layer is not dense (e.g. quantized): use <see cref="MergeAndUnload"/>.</exception>
    public void Merge()
    {
        ThrowIfReleased();
        if (IsMerged)
        {
            _logger?.LogWarning("All adapters are already merged, nothing to do.");
            return;
        }

        if (_active is null)
        {
            throw new InvalidOperationException("There is no active adapter to merge.");
        }

        if (_disabled)
        {
            throw new InvalidOperationException("Adapters are disabled; merge outside the DisableAdapters scope.");
        }

        var layers = _layers.Values.Where(l => l.TryGetAdapter(_active, out _)).ToList();
        var quantized = layers.FirstOrDefault(l => l.BaseLayer is not Linear);
        if (quantized is not null)
        {
            throw new NotSupportedException(
                $"Cannot merge into a {quantized.BaseLayer.GetType().Name} base in place (it would be re-quantized and lose precision); " +
                "use MergeAndUnload(dtype), which builds dense layers from the dequantized weights.");
        }

        foreach (var layer in layers)
        {
            layer.Merge();
        }
    }

    /// <summary>Subtracts the merged adapter from the base weights again (exact up to float rounding). Does nothing, with a warning, when nothing is merged.</summary>
    public void Unmerge()
    {
        ThrowIfReleased();
        var any = false;
        foreach (var layer in _layers.Values)
        {
            any |= layer.Unmerge();
        }

        if (!any)
        {
            _logger?.LogWarning("Already unmerged. Nothing to do.");
        }
    }

    /// <summary>
    /// Merges the active adapter into the weights and hands back a plain <see cref="CausalLM"/> whose projections are
    /// dense <see cref="Linear"/> layers again (PEFT's <c>merge_and_unload</c>). A non-dense base (quantized) becomes a
    /// new dense layer holding its dequantized weight plus the update, in <paramref name="dtype"/>. The active
    /// adapter's <c>modules_to_save</c> copies stay in the model. Every parameter is frozen; save the result with
    /// <see cref="CausalLM.SavePretrained"/> for transformers, vLLM or llama.cpp converters.
    /// </summary>
    /// <param name="dtype">Dtype of layers rebuilt from non-dense bases; null for the model's storage dtype. Dense bases keep theirs.</param>
    /// <returns>The model; this wrapper can no longer be used and no longer owns it.</returns>
    public CausalLM MergeAndUnload(ScalarType? dtype = null) => Release(merge: true, dtype ?? _model.StorageType);

    /// <summary>Removes every adapter without merging and hands back the original model (PEFT's <c>unload</c>).</summary>
    /// <returns>The model with its original layers and parameters; this wrapper can no longer be used.</returns>
    public CausalLM Unload() => Release(merge: false, _model.StorageType);

    private CausalLM Release(bool merge, ScalarType dtype)
    {
        ThrowIfReleased();
        if (!merge && IsMerged)
        {
            Unmerge();
        }

        foreach (var (path, layer) in _layers)
        {
            nn.Module<Tensor, Tensor> replacement;
            var active = merge && _active is not null && layer.TryGetAdapter(_active, out var weights) ? weights : null;
            if (layer.BaseLayer is Linear dense)
            {
                if (active is not null && layer.MergedAdapter is null)
                {
                    layer.ActiveAdapter = _active;
                    layer.Merge();
                }

                replacement = dense;
            }
            else if (active is not null)
            {
                using var w = active.EffectiveWeight(layer.Base);
                using var bias = layer.Bias?.detach();
                replacement = Linear.FromTensors(w.to(dtype, copy: true).DetachFromDisposeScope(), bias?.to(dtype, copy: true).DetachFromDisposeScope());
                layer.BaseLayer.Dispose();
            }
            else
            {
                replacement = layer.BaseLayer;
            }

            layer.ReleaseAdapters();
            replacement.train(_model.training);
            ModuleSurgery.Replace(_model, path, replacement);
        }

        foreach (var saved in _saved.Values)
        {
            saved.Install(merge ? _active : null);
            saved.ReleaseUninstalled();
        }

        foreach (var p in _model.parameters())
        {
            p.requires_grad = false;
        }

        _layers.Clear();
        _saved.Clear();
        _configs.Clear();
        _active = null;
        _released = true;
        return _model;
    }
}
