namespace Peft.Training;

/// <summary>The DPO-family loss, as TRL names them.</summary>
public enum DpoLossType
{
    /// <summary>DPO: <c>−log σ(β·h)</c> (with label smoothing ε: <c>−(1−ε)·log σ(β·h) − ε·log σ(−β·h)</c>).</summary>
    Sigmoid,

    /// <summary>IPO: <c>(h − 1/(2β))²</c> on length-normalised log-probabilities.</summary>
    Ipo,

    /// <summary>SLiC hinge: <c>max(0, 1 − β·h)</c>.</summary>
    Hinge,
}
