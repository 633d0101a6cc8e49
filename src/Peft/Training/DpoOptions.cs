namespace Peft.Training;

/// <summary>DPO settings (TRL's names: beta, loss_type, label_smoothing).</summary>
public sealed record DpoOptions
{
    /// <summary>β: how far the policy may move from the reference (TRL default 0.1).</summary>
    public double Beta { get; init; } = 0.1;

    /// <summary>The loss.</summary>
    public DpoLossType LossType { get; init; } = DpoLossType.Sigmoid;

    /// <summary>ε of conservative DPO (sigmoid loss only).</summary>
    public double LabelSmoothing { get; init; }
}
