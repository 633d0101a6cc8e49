using Peft.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using Linear = Peft.Models.Layers.Linear;

namespace Peft.Adapters;

/// <summary>
/// A linear projection with LoRA adapters (PEFT's <c>lora.Linear</c>): it wraps any base layer that implements
/// <see cref="ILinearLayer"/> (dense <see cref="Linear"/> or quantized) and adds the active adapter's update:
/// <code>y = W0·x + b + s·B·A·dropout(x)</code>
/// with <c>A</c> [r, in], <c>B</c> [out, r], <c>s = α/r</c> (rsLoRA: <c>α/√r</c>), dropout only in training mode.
/// With DoRA, <c>y = m ⊙ (W0 + s·B·A)·x / ‖W0 + s·B·A‖_row + b</c>, the norm detached from the graph.
/// </summary>
/// <remarks>
/// The adapter is computed as <c>(x·Aᵀ)·Bᵀ</c>, scaling folded into the second product that accumulates into the
/// base output, so <c>B·A</c> is never formed in the forward pass. As an <see cref="ILinearLayer"/> the wrapper
/// describes the projection it computes: <see cref="DenseWeight"/> is the effective weight (base plus the active
/// adapter, unless adapters are disabled or already merged), so exporting a model with adapters
/// (<c>CausalLM.SavePretrained</c>) writes the fine-tuned weights. The module's child <c>base_layer</c> is the
/// wrapped layer; the adapters are held outside TorchSharp's registry and reached through <see cref="PeftModel"/>,
/// so create adapters after moving the model to its device.
/// </remarks>
public sealed class LoraLinear : nn.Module<Tensor, Tensor>, ILinearLayer
{
    [ComponentName(Name = "base_layer")]
    private readonly nn.Module<Tensor, Tensor> _baseLayer;

    private readonly ILinearLayer _base;
    private readonly Dictionary<string, LoraAdapterWeights> _adapters = new(StringComparer.Ordinal);

    internal LoraLinear(nn.Module<Tensor, Tensor> baseLayer)
        : base("LoraLinear")
    {
        _baseLayer = baseLayer;
        _base = baseLayer as ILinearLayer ?? throw new ArgumentException($"{baseLayer.GetType().Name} does not implement ILinearLayer.", nameof(baseLayer));
        RegisterComponents();
    }

    /// <summary>The wrapped projection.</summary>
    public nn.Module<Tensor, Tensor> BaseLayer => _baseLayer;

    /// <inheritdoc />
    public long InFeatures => _base.InFeatures;

    /// <inheritdoc />
    public long OutFeatures => _base.OutFeatures;

    /// <inheritdoc />
    public Parameter? Bias => _base.Bias;

    /// <summary>The adapters this layer holds.</summary>
    public IReadOnlyCollection<string> AdapterNames => _adapters.Keys;

    /// <summary>The adapter applied in the forward pass, or null.</summary>
    public string? ActiveAdapter { get; internal set; }

    /// <summary>The adapter whose update is currently merged into the base weight, or null.</summary>
    public string? MergedAdapter { get; private set; }

    /// <summary>When true the layer computes the base projection only.</summary>
    public bool AdaptersDisabled { get; internal set; }

    internal ILinearLayer Base => _base;

    internal LoraAdapterWeights Adapter(string name) => _adapters[name];

    internal bool TryGetAdapter(string name, out LoraAdapterWeights weights) => _adapters.TryGetValue(name, out weights!);

    internal void AddAdapter(string name, LoraAdapterWeights weights) => _adapters.Add(name, weights);

    /// <summary>Removes an adapter (unmerging it first) and frees its tensors.</summary>
    internal void RemoveAdapter(string name)
    {
        if (MergedAdapter == name)
        {
            Unmerge();
        }

        if (_adapters.Remove(name, out var weights))
        {
            weights.Dispose();
        }
    }

    /// <summary>Applies the projection and the active adapter.</summary>
    /// <param name="input">[..., in]</param>
    /// <returns>[..., out]</returns>
    public override Tensor forward(Tensor input)
    {
        if (AdaptersDisabled || MergedAdapter is not null || ActiveAdapter is null || !_adapters.TryGetValue(ActiveAdapter, out var a))
        {
            return _baseLayer.forward(input);
        }

        using var scope = NewDisposeScope();
        var outShape = input.shape.ToArray();
        outShape[^1] = OutFeatures;
        var flat = input.reshape(-1, InFeatures);                        // [tokens, in], a view when contiguous
        var result = _baseLayer.forward(flat);                          // [tokens, out]
        var x = flat.dtype == ScalarType.Float32 ? flat : flat.to(ScalarType.Float32);
        var dropped = a.Dropout > 0 && training;
        if (dropped)
        {
            x = nn.functional.dropout(x, a.Dropout, training: true);
        }

        if (a.UseDora)
        {
            return DoraForward(result, x, a, dropped).view(outShape).MoveToOuterDisposeScope();
        }

        var down = nn.functional.linear(x, a.A);                        // [tokens, r]
        if (result.dtype == ScalarType.Float32 && result.is_contiguous())
        {
            result.addmm_(down, a.B.t(), beta: 1, alpha: (float)a.Scaling); // result += s·down·Bᵀ, in place: no [tokens, out] temporary
            return result.view(outShape).MoveToOuterDisposeScope();
        }

        var update = down.mm(a.B.t()).mul_(a.Scaling).to(result.dtype);
        return result.add(update).view(outShape).MoveToOuterDisposeScope();
    }

    /// <summary>DoRA: <c>result + (m/‖W‖ − 1)·(W0·x) + (m/‖W‖)·s·B·A·x</c> with <c>‖W‖ = ‖W0 + s·B·A‖_row</c> detached.</summary>
    private Tensor DoraForward(Tensor result, Tensor x, LoraAdapterWeights a, bool dropped)
    {
        var w0 = _base.DenseWeight(ScalarType.Float32);                      // [out, in], no history
        Tensor norm;                                                        // [out], detached
        using (no_grad())
        {
            norm = w0.add(a.DeltaWeight()).norm(1, false, 2);
        }

        var scale = a.Magnitude! / norm;                                    // [out], gradient to m
        var lora = nn.functional.linear(nn.functional.linear(x, a.A), a.B); // [..., out]
        var baseResult = dropped ? nn.functional.linear(x, w0)
            : (Bias is null ? result : result - Bias).to(ScalarType.Float32);
        var dora = (scale - 1) * baseResult + scale * a.Scaling * lora;
        return result + dora.to(result.dtype);
    }

    /// <summary>The effective weight [out, in] of <paramref name="dtype"/>: base plus the active adapter (see remarks).</summary>
    /// <param name="dtype">The element type wanted.</param>
    /// <returns>A new tensor the caller owns.</returns>
    public Tensor DenseWeight(ScalarType dtype)
    {
        if (AdaptersDisabled || MergedAdapter is not null || ActiveAdapter is null || !_adapters.TryGetValue(ActiveAdapter, out var a))
        {
            return _base.DenseWeight(dtype);
        }

        using var w = a.EffectiveWeight(_base);
        return w.to(dtype, copy: true);
    }

    /// <summary>Adds the active adapter's update into a dense base weight.</summary>
    /// <returns>False when there is nothing to merge (no active adapter, or one is merged already).</returns>
    /// <exception cref="NotSupportedException">The base is not a dense <see cref="Linear"/> (e.g. quantized).</exception>
    internal bool Merge()
    {
        if (MergedAdapter is not null || ActiveAdapter is null || !_adapters.TryGetValue(ActiveAdapter, out var a))
        {
            return false;
        }

        a.MergeInto(DenseBaseWeight());
        MergedAdapter = ActiveAdapter;
        return true;
    }

    /// <summary>Subtracts the merged adapter's update from the base weight again.</summary>
    /// <returns>False when nothing was merged.</returns>
    internal bool Unmerge()
    {
        if (MergedAdapter is null)
        {
            return false;
        }

        _adapters[MergedAdapter].UnmergeFrom(DenseBaseWeight());
        MergedAdapter = null;
        return true;
    }

    private Parameter DenseBaseWeight() => _baseLayer is Linear dense
        ? dense.Weight
        : throw new NotSupportedException(
            $"Cannot merge an adapter into a {_baseLayer.GetType().Name} base in place (it would be re-quantized); " +
            "use PeftModel.MergeAndUnload, which builds dense layers from the dequantized weights.");

    /// <summary>Frees every adapter's tensors (not the base layer), for unloading.</summary>
    internal void ReleaseAdapters()
    {
        foreach (var weights in _adapters.Values)
        {
            weights.Dispose();
        }

        _adapters.Clear();
        ActiveAdapter = null;
        MergedAdapter = null;
    }

    /// <summary>Frees the adapters along with the module.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            ReleaseAdapters();
        }

        base.Dispose(disposing);
    }
}
