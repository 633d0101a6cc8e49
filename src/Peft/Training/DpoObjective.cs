using Peft.Data;
using Peft.Models;
using static TorchSharp.torch;

namespace Peft.Training;

/// <summary>
/// Direct Preference Optimization (and its IPO and hinge variants) in one concatenated forward of chosen and
/// rejected sequences. The reference is the same model with its adapters disabled (no second copy in memory),
/// unless the batch carries reference log-probabilities precomputed once over the dataset.
/// </summary>
public sealed class DpoObjective : ITrainingObjective<PreferenceBatch>
{
    private readonly CausalLM _model;
    private readonly Func<IDisposable>? _referenceScope;

    /// <summary>Creates the objective.</summary>
    /// <param name="model">The policy model (with trainable adapters).</param>
    /// <param name="options">β, loss type, label smoothing.</param>
    /// <param name="referenceScope">Returns a scope inside which the model acts as the reference (adapters disabled); null when every batch carries precomputed reference log-probs.</param>
    public DpoObjective(CausalLM model, DpoOptions? options = null, Func<IDisposable>? referenceScope = null)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        Options = options ?? new DpoOptions();
        _referenceScope = referenceScope;
        if (Options.Beta <= 0)
        {
            throw new ArgumentException($"Beta must be positive; found {Options.Beta}.", nameof(options));
        }
    }

    /// <summary>The settings.</summary>
    public DpoOptions Options { get; }

    /// <summary>
    /// Log-probabilities the loss uses for each row [2·pairs]: summed over completion tokens, or length-normalised
    /// for IPO (as TRL does).
    /// </summary>
    public Tensor SequenceScores(PreferenceBatch batch)
    {
        using var scope = NewDisposeScope();
        using var output = _model.Forward(batch.InputIds, batch.AttentionMask);
        var (sums, counts) = PreferenceLosses.SequenceLogProbs(output.Logits, batch.Labels.to(output.Logits.device));
        var scores = Options.LossType == DpoLossType.Ipo ? sums / counts.clamp_min(1) : sums;
        return scores.MoveToOuterDisposeScope();
    }

    /// <summary>The reference scores of a batch [2·pairs]: the model with adapters disabled, without gradients.</summary>
    /// <exception cref="InvalidOperationException">No reference scope was given.</exception>
    public Tensor ReferenceScores(PreferenceBatch batch)
    {
        if (_referenceScope is null)
        {
            throw new InvalidOperationException("The batch has no precomputed reference log-probs and no reference scope was given.");
        }

        using var reference = _referenceScope();
        using var guard = no_grad();
        return SequenceScores(batch);
    }

    /// <inheritdoc />
    public ObjectiveResult Compute(PreferenceBatch batch, bool training)
    {
        var pairs = batch.Pairs;
        var policy = SequenceScores(batch);
        Tensor referenceChosen, referenceRejected;
        if (batch.ReferenceChosen is not null && batch.ReferenceRejected is not null)
        {
            referenceChosen = batch.ReferenceChosen.to(policy.device);
            referenceRejected = batch.ReferenceRejected.to(policy.device);
        }
        else
        {
            var reference = ReferenceScores(batch);
            referenceChosen = reference.narrow(0, 0, pairs);
            referenceRejected = reference.narrow(0, pairs, pairs);
        }

        var policyChosen = policy.narrow(0, 0, pairs);
        var policyRejected = policy.narrow(0, pairs, pairs);
        var (losses, chosenRewards, rejectedRewards) = PreferenceLosses.Dpo(policyChosen, policyRejected, referenceChosen, referenceRejected,
            Options.Beta, Options.LossType, Options.LabelSmoothing);
        return new ObjectiveResult(losses.sum(), PreferenceMetrics.Sums(chosenRewards, rejectedRewards, policyChosen, policyRejected));
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> EvalSummary(double evalLoss, IReadOnlyDictionary<string, double> evalMetrics) =>
        new Dictionary<string, double>();
}
