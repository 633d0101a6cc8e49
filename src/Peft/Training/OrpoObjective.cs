using Peft.Data;
using Peft.Models;
using static TorchSharp.torch;

namespace Peft.Training;

/// <summary>
/// ORPO (Hong et al., 2024), the reference-free preference objective: supervised loss on the chosen completion
/// plus an odds-ratio penalty, <c>L = NLL(chosen) + λ·(−log σ(log odds(a_c) − log odds(a_r)))</c> with <c>a</c>
/// the mean token log-probability. It needs no reference model and no separate SFT stage, so a preference run
/// costs what an SFT run costs — the reason Peft ships it as its reference-free method.
/// </summary>
/// <remarks>
/// The NLL is averaged over each pair's chosen tokens and the pair losses are summed (the trainer divides by the
/// number of pairs), so gradient accumulation is exact; TRL averages the NLL over all chosen tokens of a batch
/// instead, which weights long completions slightly more. Metrics follow TRL's ORPO names.
/// </remarks>
public sealed class OrpoObjective : ITrainingObjective<PreferenceBatch>
{
    private readonly CausalLM _model;

    /// <summary>Creates the objective.</summary>
    /// <param name="model">The model (with trainable adapters).</param>
    /// <param name="beta">λ, the weight of the odds-ratio term (TRL's <c>beta</c>, default 0.1).</param>
    public OrpoObjective(CausalLM model, double beta = 0.1)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        Beta = beta > 0 ? beta : throw new ArgumentException($"Beta must be positive; found {beta}.", nameof(beta));
    }

    /// <summary>λ.</summary>
    public double Beta { get; }

    /// <inheritdoc />
    public ObjectiveResult Compute(PreferenceBatch batch, bool training)
    {
        var pairs = batch.Pairs;
        using var output = _model.Forward(batch.InputIds, batch.AttentionMask);
        var (sums, counts) = PreferenceLosses.SequenceLogProbs(output.Logits, batch.Labels.to(output.Logits.device));
        var means = sums / counts.clamp_min(1);
        var meanChosen = means.narrow(0, 0, pairs);
        var meanRejected = means.narrow(0, pairs, pairs);
        var nll = -meanChosen;
        var (oddsLoss, logOdds) = PreferenceLosses.OddsRatio(meanChosen, meanRejected);
        var losses = nll + Beta * oddsLoss;
        var metrics = PreferenceMetrics.Sums(Beta * meanChosen, Beta * meanRejected, meanChosen, meanRejected);
        metrics["nll_loss"] = nll.detach().sum().item<float>();
        metrics["log_odds_ratio"] = (-oddsLoss).detach().sum().item<float>();
        metrics["log_odds_chosen"] = logOdds.sum().item<float>();
        return new ObjectiveResult(losses.sum(), metrics);
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> EvalSummary(double evalLoss, IReadOnlyDictionary<string, double> evalMetrics) =>
        new Dictionary<string, double>();
}
