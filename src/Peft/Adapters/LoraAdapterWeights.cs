using Peft.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Peft.Adapters;

/// <summary>
/// One adapter's tensors on one projection, kept in float32 whatever the base stores: <c>A</c> [r, in],
/// <c>B</c> [out, r], and for DoRA the magnitude <c>m</c> [out]; plus the scaling <c>s</c> and dropout p.
/// </summary>
internal sealed class LoraAdapterWeights : IDisposable
{
    private LoraAdapterWeights(int rank, double alpha, double scaling, double dropout, Parameter a, Parameter b, Parameter? magnitude)
    {
        Rank = rank;
        Alpha = alpha;
        Scaling = scaling;
        Dropout = dropout;
        A = a;
        B = b;
        Magnitude = magnitude;
    }

    public int Rank { get; }

    public double Alpha { get; }

    /// <summary>s = α/r, or α/√r for rsLoRA.</summary>
    public double Scaling { get; }

    public double Dropout { get; }

    /// <summary>lora_A [r, in].</summary>
    public Parameter A { get; }

    /// <summary>lora_B [out, r].</summary>
    public Parameter B { get; }

    /// <summary>DoRA's lora_magnitude_vector [out], or null for plain LoRA.</summary>
    public Parameter? Magnitude { get; }

    public bool UseDora => Magnitude is not null;

    /// <summary>DoRA: the row norms ‖W0 + s·B·A‖ [out] taken when the adapter was merged, needed to unmerge.</summary>
    public Tensor? MergedNorm { get; set; }

    public IEnumerable<(string Name, Parameter Parameter)> Parameters()
    {
        yield return ("lora_A", A);
        yield return ("lora_B", B);
        if (Magnitude is not null)
        {
            yield return ("lora_magnitude_vector", Magnitude);
        }
    }

    public long ParameterCount => Parameters().Sum(p => p.Parameter.numel());

    public void SetRequiresGrad(bool value)
    {
        foreach (var (_, p) in Parameters())
        {
            p.requires_grad = value;
        }
    }

    /// <summary>Creates and initialises an adapter for a base layer (see <see cref="LoraConfig.InitLoraWeights"/>).</summary>
    public static LoraAdapterWeights Create(ILinearLayer baseLayer, Device device, int rank, double alpha, LoraConfig config)
    {
        using var guard = no_grad();
        var a = empty(new[] { (long)rank, baseLayer.InFeatures }, ScalarType.Float32, device);
        var b = empty(new[] { baseLayer.OutFeatures, (long)rank }, ScalarType.Float32, device);
        switch (config.InitLoraWeights)
        {
            case "false": // PEFT leaves nn.Linear's default init: Kaiming-uniform (a = √5) for both factors
                nn.init.kaiming_uniform_(a, Math.Sqrt(5));
                nn.init.kaiming_uniform_(b, Math.Sqrt(5));
                break;
            case "gaussian":
                nn.init.normal_(a, 0, 1.0 / rank);
                b.zero_();
                break;
            default:
                nn.init.kaiming_uniform_(a, Math.Sqrt(5));
                b.zero_();
                break;
        }

        var weights = new LoraAdapterWeights(rank, alpha, config.Scaling(rank, alpha), config.LoraDropout, Persistent(a), Persistent(b), null);
        return config.UseDora ? weights.WithMagnitude(baseLayer) : weights;
    }

    /// <summary>Adds DoRA's magnitude, initialised to the row norms of <c>W0 + s·B·A</c>.</summary>
    private LoraAdapterWeights WithMagnitude(ILinearLayer baseLayer)
    {
        using var scope = NewDisposeScope();
        using var guard = no_grad();
        var norm = RowNorm(baseLayer, DeltaWeight()).MoveToOuterDisposeScope();
        return new LoraAdapterWeights(Rank, Alpha, Scaling, Dropout, A, B, Persistent(norm));
    }

    /// <summary>The update <c>s·B·A</c> [out, in] in float32, without autograd history.</summary>
    public Tensor DeltaWeight()
    {
        using var guard = no_grad();
        return B.detach().mm(A.detach()).mul_(Scaling);
    }

    /// <summary>The row norms ‖W0 + Δ‖₂ [out] (float32, no autograd history).</summary>
    public static Tensor RowNorm(ILinearLayer baseLayer, Tensor delta)
    {
        using var scope = NewDisposeScope();
        using var guard = no_grad();
        var w = baseLayer.DenseWeight(ScalarType.Float32);
        return w.add_(delta).norm(1, false, 2).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The effective weight [out, in] in float32: <c>W0 + s·B·A</c>, or for DoRA
    /// <c>m ⊙ (W0 + s·B·A) / ‖W0 + s·B·A‖_row</c>. No autograd history.
    /// </summary>
    public Tensor EffectiveWeight(ILinearLayer baseLayer)
    {
        using var scope = NewDisposeScope();
        using var guard = no_grad();
        var w = baseLayer.DenseWeight(ScalarType.Float32).add_(DeltaWeight());
        if (Magnitude is not null)
        {
            var factor = Magnitude.detach() / w.norm(1, false, 2);
            w.mul_(factor.unsqueeze(1));
        }

        return w.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Merges into a dense base weight [out, in] in place: <c>W ← W + s·B·A</c>, or for DoRA
    /// <c>W ← m ⊙ (W + s·B·A) / ‖W + s·B·A‖_row</c> (the norm is kept for <see cref="UnmergeFrom"/>).
    /// </summary>
    public void MergeInto(Tensor weight)
    {
        using var scope = NewDisposeScope();
        using var guard = no_grad();
        var delta = DeltaWeight();
        if (Magnitude is null)
        {
            weight.add_(delta.to(weight.dtype));
            return;
        }

        var merged = weight.to(ScalarType.Float32).add(delta);
        var norm = merged.norm(1, false, 2);
        MergedNorm?.Dispose();
        MergedNorm = norm.DetachFromDisposeScope();
        weight.copy_(merged.mul_((Magnitude.detach() / norm).unsqueeze(1)));
    }

    /// <summary>Undoes <see cref="MergeInto"/>: <c>W ← W − s·B·A</c>, or for DoRA <c>W ← W·‖…‖_row / m − s·B·A</c>.</summary>
    public void UnmergeFrom(Tensor weight)
    {
        using var scope = NewDisposeScope();
        using var guard = no_grad();
        var delta = DeltaWeight();
        if (Magnitude is null)
        {
            weight.sub_(delta.to(weight.dtype));
            return;
        }

        var factor = (Magnitude.detach() / MergedNorm!).unsqueeze(1);
        weight.copy_(weight.to(ScalarType.Float32).div(factor).sub_(delta));
    }

    /// <summary>Wraps loaded tensors (taken over).</summary>
    public static LoraAdapterWeights FromTensors(int rank, double alpha, LoraConfig config, Tensor a, Tensor b, Tensor? magnitude) =>
        new(rank, alpha, config.Scaling(rank, alpha), config.LoraDropout, Persistent(a), Persistent(b), magnitude is null ? null : Persistent(magnitude));

    /// <summary>
    /// A frozen parameter that belongs to no dispose scope (TorchSharp would otherwise let a caller's scope free it,
    /// since a parameter takes over its tensor's place in the scope).
    /// </summary>
    public static Parameter Persistent(Tensor value)
    {
        var parameter = new Parameter(value, requires_grad: false);
        parameter.DetachFromDisposeScope();
        return parameter;
    }

    public void Dispose()
    {
        A.Dispose();
        B.Dispose();
        Magnitude?.Dispose();
        MergedNorm?.Dispose();
    }
}
