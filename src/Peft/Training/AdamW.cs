using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Peft.Training;

/// <summary>
/// AdamW (decoupled weight decay, Loshchilov &amp; Hutter) with two parameter groups — with and without weight
/// decay — and a state that can be saved and restored exactly, so a resumed run continues bit for bit.
/// </summary>
/// <remarks>
/// For each parameter θ with gradient g at step t: <c>θ ← θ·(1 − lr·λ)</c>; <c>m ← β₁m + (1−β₁)g</c>;
/// <c>v ← β₂v + (1−β₂)g²</c>; <c>θ ← θ − lr·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε)</c>, as torch.optim.AdamW computes it.
/// </remarks>
public sealed class AdamW : IDisposable
{
    private readonly List<(string Name, Parameter Parameter, bool Decay)> _parameters;
    private readonly Dictionary<string, (Tensor ExpAvg, Tensor ExpAvgSq)> _state = new(StringComparer.Ordinal);

    /// <summary>Creates the optimizer.</summary>
    /// <param name="parameters">Named trainable parameters.</param>
    /// <param name="weightDecay">Decoupled weight decay λ for parameters that get it.</param>
    /// <param name="decays">Which parameters get weight decay (by name); by default all but biases and norm weights.</param>
    /// <param name="beta1">β₁.</param>
    /// <param name="beta2">β₂.</param>
    /// <param name="epsilon">ε.</param>
    public AdamW(IEnumerable<(string Name, Parameter Parameter)> parameters, double weightDecay = 0.0, Func<string, bool>? decays = null,
        double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        decays ??= DefaultDecays;
        _parameters = parameters.Select(p => (p.Name, p.Parameter, decays(p.Name))).ToList();
        if (_parameters.Select(p => p.Name).Distinct().Count() != _parameters.Count)
        {
            throw new ArgumentException("Parameter names must be unique.", nameof(parameters));
        }

        WeightDecay = weightDecay;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
    }

    /// <summary>λ.</summary>
    public double WeightDecay { get; }

    /// <summary>β₁.</summary>
    public double Beta1 { get; }

    /// <summary>β₂.</summary>
    public double Beta2 { get; }

    /// <summary>ε.</summary>
    public double Epsilon { get; }

    /// <summary>Optimizer steps taken.</summary>
    public long Step { get; private set; }

    /// <summary>The parameters and whether each gets weight decay.</summary>
    public IReadOnlyList<(string Name, Parameter Parameter, bool Decay)> Parameters => _parameters;

    /// <summary>Biases and normalisation weights get no weight decay (the usual transformers recipe).</summary>
    public static bool DefaultDecays(string name) =>
        !(name.EndsWith(".bias", StringComparison.Ordinal) || name.Contains("norm", StringComparison.OrdinalIgnoreCase)
          || name.Contains("lora_magnitude_vector", StringComparison.Ordinal));

    /// <summary>Applies one update with learning rate <paramref name="learningRate"/>; parameters without a gradient are skipped.</summary>
    public void Update(double learningRate)
    {
        Step++;
        var bias1 = 1 - Math.Pow(Beta1, Step);
        var bias2 = 1 - Math.Pow(Beta2, Step);
        var stepSize = learningRate / bias1;
        var bias2Sqrt = Math.Sqrt(bias2);
        using var guard = no_grad();
        foreach (var (name, p, decay) in _parameters)
        {
            var grad = p.grad;
            if (grad is null)
            {
                continue;
            }

            using var scope = NewDisposeScope();
            if (!_state.TryGetValue(name, out var s))
            {
                s = (zeros_like(p).DetachFromDisposeScope(), zeros_like(p).DetachFromDisposeScope());
                _state[name] = s;
            }

            if (decay && WeightDecay != 0)
            {
                p.mul_(1 - learningRate * WeightDecay);
            }

            s.ExpAvg.mul_(Beta1).add_(grad, alpha: 1 - Beta1);
            s.ExpAvgSq.mul_(Beta2).addcmul_(grad, grad, value: 1 - Beta2);
            var denominator = (s.ExpAvgSq.sqrt() / bias2Sqrt).add_(Epsilon);
            p.addcdiv_(s.ExpAvg, denominator, value: -stepSize);
        }
    }

    /// <summary>Clears the gradients of every parameter.</summary>
    public void ZeroGrad()
    {
        foreach (var (_, p, _) in _parameters)
        {
            if (p.grad is { } g)
            {
                g.zero_();
            }
        }
    }

    /// <summary>The moment estimates as named tensors (<c>&lt;name&gt;.exp_avg</c>, <c>&lt;name&gt;.exp_avg_sq</c>), for checkpoints.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> StateTensors() =>
        _state.SelectMany(kv => new[]
        {
            KeyValuePair.Create(kv.Key + ".exp_avg", kv.Value.ExpAvg),
            KeyValuePair.Create(kv.Key + ".exp_avg_sq", kv.Value.ExpAvgSq),
        });

    /// <summary>Restores the step count and moments saved by <see cref="StateTensors"/>.</summary>
    /// <param name="step">The saved step count.</param>
    /// <param name="read">Reads a saved tensor by name, or returns null when absent.</param>
    /// <exception cref="InvalidDataException">A saved moment's shape does not match its parameter.</exception>
    public void LoadState(long step, Func<string, Tensor?> read)
    {
        Step = step;
        foreach (var (name, p, _) in _parameters)
        {
            var avg = read(name + ".exp_avg");
            var avgSq = read(name + ".exp_avg_sq");
            if (avg is null || avgSq is null)
            {
                continue;
            }

            if (!avg.shape.SequenceEqual(p.shape) || !avgSq.shape.SequenceEqual(p.shape))
            {
                throw new InvalidDataException(
                    $"Optimizer state for '{name}' has shape [{string.Join(", ", avg.shape)}]; the parameter has [{string.Join(", ", p.shape)}].");
            }

            if (_state.Remove(name, out var old))
            {
                old.ExpAvg.Dispose();
                old.ExpAvgSq.Dispose();
            }

            _state[name] = (avg.to(p.dtype, p.device), avgSq.to(p.dtype, p.device));
        }
    }

    /// <summary>Frees the moment estimates.</summary>
    public void Dispose()
    {
        foreach (var (a, b) in _state.Values)
        {
            a.Dispose();
            b.Dispose();
        }

        _state.Clear();
    }
}
