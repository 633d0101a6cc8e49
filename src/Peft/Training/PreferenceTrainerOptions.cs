using Peft.Data;

namespace Peft.Training;

/// <summary>Settings of a preference run.</summary>
public sealed record PreferenceTrainerOptions
{
    /// <summary>The training loop's settings.</summary>
    public required TrainingOptions Training { get; init; }

    /// <summary>DPO or ORPO.</summary>
    public PreferenceMethod Method { get; init; } = PreferenceMethod.Dpo;

    /// <summary>DPO's β, loss type and label smoothing (β is also ORPO's λ).</summary>
    public DpoOptions Dpo { get; init; } = new();

    /// <summary>Prompt and completion lengths.</summary>
    public PreferenceCollatorOptions Collator { get; init; } = new();

    /// <summary>
    /// Compute the reference log-probabilities once before training instead of a reference forward pass in every
    /// step (DPO only): faster training, same result, since the reference never changes.
    /// </summary>
    public bool PrecomputeReference { get; init; }

    /// <summary>Fraction of the pairs held out for evaluation when no evaluation set is given.</summary>
    public double EvalRatio { get; init; }
}
