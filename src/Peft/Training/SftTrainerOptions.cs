using Peft.Data;

namespace Peft.Training;

/// <summary>Settings of a supervised fine-tuning run: the loop, the collation, and the evaluation split.</summary>
public sealed record SftTrainerOptions
{
    /// <summary>The training loop's settings (output folder, steps, learning rate, …).</summary>
    public required TrainingOptions Training { get; init; }

    /// <summary>Tokenization, loss masking, packing.</summary>
    public SftCollatorOptions Collator { get; init; } = new();

    /// <summary>Fraction of the training examples held out for evaluation when no evaluation set is given.</summary>
    public double EvalRatio { get; init; }
}
