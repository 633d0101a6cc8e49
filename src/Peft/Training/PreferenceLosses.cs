using static TorchSharp.torch;

namespace Peft.Training;

/// <summary>
/// The preference losses as functions of sequence log-probabilities, so they can be checked by hand. With
/// policy log-probs <c>π_c, π_r</c> and reference log-probs <c>ρ_c, ρ_r</c> of the chosen and rejected
/// completions, <c>h = (π_c − ρ_c) − (π_r − ρ_r)</c>; the implicit rewards are <c>β(π_c − ρ_c)</c> and
/// <c>β(π_r − ρ_r)</c> (TRL's <c>rewards/chosen</c> and <c>rewards/rejected</c>).
/// </summary>
public static class PreferenceLosses
{
    /// <summary>Per-pair DPO-family losses and rewards.</summary>
    /// <param name="policyChosen">[pairs] π_c.</param>
    /// <param name="policyRejected">[pairs] π_r.</param>
    /// <param name="referenceChosen">[pairs] ρ_c.</param>
    /// <param name="referenceRejected">[pairs] ρ_r.</param>
    /// <param name="beta">β (TRL default 0.1).</param>
    /// <param name="type">The loss.</param>
    /// <param name="labelSmoothing">ε for the sigmoid loss (conservative DPO).</param>
    /// <returns>Losses [pairs], and rewards [pairs] (detached).</returns>
    public static (Tensor Losses, Tensor ChosenRewards, Tensor RejectedRewards) Dpo(Tensor policyChosen, Tensor policyRejected,
        Tensor referenceChosen, Tensor referenceRejected, double beta, DpoLossType type, double labelSmoothing = 0)
    {
        using var scope = NewDisposeScope();
        var chosenRatio = policyChosen - referenceChosen;
        var rejectedRatio = policyRejected - referenceRejected;
        var h = chosenRatio - rejectedRatio;
        var losses = type switch
        {
            DpoLossType.Sigmoid => -nn.functional.logsigmoid(beta * h) * (1 - labelSmoothing) - nn.functional.logsigmoid(-beta * h) * labelSmoothing,
            DpoLossType.Ipo => (h - 1 / (2 * beta)).pow(2),
            DpoLossType.Hinge => nn.functional.relu(1 - beta * h),
            _ => throw new ArgumentOutOfRangeException(nameof(type)),
        };
        return (losses.MoveToOuterDisposeScope(), (beta * chosenRatio).detach().MoveToOuterDisposeScope(), (beta * rejectedRatio).detach().MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The ORPO odds-ratio term from length-normalised log-probs <c>a_c, a_r</c> (mean token log-probability):
    /// <c>log odds(a) = a − log(1 − eᵃ)</c>, <c>L_OR = −log σ(log odds(a_c) − log odds(a_r))</c>.
    /// </summary>
    /// <param name="meanChosen">[pairs] a_c.</param>
    /// <param name="meanRejected">[pairs] a_r.</param>
    /// <returns>The per-pair odds-ratio loss [pairs] and the log odds ratio [pairs] (detached).</returns>
    public static (Tensor OddsRatioLoss, Tensor LogOddsRatio) OddsRatio(Tensor meanChosen, Tensor meanRejected)
    {
        using var scope = NewDisposeScope();
        var logOdds = (meanChosen - meanRejected) - (log1p(-exp(meanChosen)) - log1p(-exp(meanRejected)));
        var loss = -nn.functional.logsigmoid(logOdds);
        return (loss.MoveToOuterDisposeScope(), logOdds.detach().MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Sums of next-token log-probabilities over the labelled positions of each row, and their counts:
    /// position t's logits score label t+1; labels −100 are skipped.
    /// </summary>
    /// <param name="logits">[rows, seq, vocab]</param>
    /// <param name="labels">[rows, seq]</param>
    /// <returns>Sums [rows] and counts [rows] (float32).</returns>
    public static (Tensor Sums, Tensor Counts) SequenceLogProbs(Tensor logits, Tensor labels)
    {
        using var scope = NewDisposeScope();
        long seq = logits.shape[1];
        var shifted = logits.narrow(1, 0, seq - 1).to(ScalarType.Float32);
        var targets = labels.narrow(1, 1, seq - 1);
        var mask = targets != -100;
        var safe = targets.masked_fill(mask.logical_not(), 0).unsqueeze(-1);
        // log p(target) = logit(target) − logsumexp(logits): avoids a second [rows, seq, vocab] tensor in the forward.
        var tokenLogProbs = shifted.gather(-1, safe).squeeze(-1) - shifted.logsumexp(-1);
        var maskF = mask.to(ScalarType.Float32);
        var sums = (tokenLogProbs * maskF).sum(-1);
        var counts = maskF.sum(-1);
        return (sums.MoveToOuterDisposeScope(), counts.MoveToOuterDisposeScope());
    }
}
