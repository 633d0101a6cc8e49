using Peft.Data;
using Peft.Models;
using static TorchSharp.torch;

namespace Peft.Training;

/// <summary>
/// Supervised fine-tuning: the causal-LM cross-entropy of the labels (shifted by one), summed over label tokens
/// so the trainer can average over all tokens of an accumulated step. Evaluation adds <c>eval_perplexity</c> =
/// exp(eval_loss).
/// </summary>
public sealed class SftObjective : ITrainingObjective<SftBatch>
{
    private readonly CausalLM _model;

    /// <summary>Creates the objective for a model (with its adapters).</summary>
    public SftObjective(CausalLM model)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
    }

    /// <inheritdoc />
    public ObjectiveResult Compute(SftBatch batch, bool training)
    {
        using var output = _model.Forward(batch.InputIds, batch.AttentionMask, positionIds: batch.PositionIds);
        var logits = output.Logits;
        long seq = logits.shape[1], vocab = logits.shape[2];
        var lossSum = nn.functional.cross_entropy(
            logits.narrow(1, 0, seq - 1).reshape(-1, vocab),
            batch.Labels.to(logits.device).narrow(1, 1, seq - 1).reshape(-1),
            ignore_index: -100,
            reduction: nn.Reduction.Sum);
        return new ObjectiveResult(lossSum, new Dictionary<string, double>());
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> EvalSummary(double evalLoss, IReadOnlyDictionary<string, double> evalMetrics) =>
        new Dictionary<string, double> { ["eval_perplexity"] = Math.Exp(evalLoss) };
}
