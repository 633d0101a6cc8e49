using System.Text.Json.Serialization;

namespace Peft.Training;

/// <summary>
/// Settings of a training run, named after transformers' <c>TrainingArguments</c> (learning_rate,
/// num_train_epochs, max_steps, per_device_train_batch_size, gradient_accumulation_steps, lr_scheduler_type,
/// warmup_steps/warmup_ratio, max_grad_norm, weight_decay, logging/eval/save steps, save_total_limit, seed,
/// gradient_checkpointing). Saved with every checkpoint as <c>training_options.json</c>.
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>Folder for checkpoints, metrics and the final adapter.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Passes over the training data (ignored when <see cref="MaxSteps"/> is set).</summary>
    public double Epochs { get; init; } = 1;

    /// <summary>Total optimizer steps; overrides <see cref="Epochs"/> when positive.</summary>
    public int MaxSteps { get; init; }

    /// <summary>Examples per micro-batch.</summary>
    public int BatchSize { get; init; } = 4;

    /// <summary>Micro-batches accumulated per optimizer step.</summary>
    public int GradientAccumulationSteps { get; init; } = 1;

    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; init; } = 2e-4;

    /// <summary>Schedule after warmup.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter))]
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Linear;

    /// <summary>Warmup steps (takes precedence over <see cref="WarmupRatio"/> when positive).</summary>
    public int WarmupSteps { get; init; }

    /// <summary>Warmup as a fraction of the total steps.</summary>
    public double WarmupRatio { get; init; }

    /// <summary>Decoupled weight decay (not applied to biases, norms or DoRA magnitudes).</summary>
    public double WeightDecay { get; init; }

    /// <summary>AdamW β₁.</summary>
    public double AdamBeta1 { get; init; } = 0.9;

    /// <summary>AdamW β₂.</summary>
    public double AdamBeta2 { get; init; } = 0.999;

    /// <summary>AdamW ε.</summary>
    public double AdamEpsilon { get; init; } = 1e-8;

    /// <summary>Gradient-norm clipping threshold; 0 disables.</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>Recompute each decoder layer in the backward pass to save activation memory.</summary>
    public bool GradientCheckpointing { get; init; }

    /// <summary>Seed for data order, dropout and everything random; CPU runs with the same seed are bit-identical.</summary>
    public long Seed { get; init; } = 42;

    /// <summary>Report progress and write metrics every N optimizer steps.</summary>
    public int LoggingSteps { get; init; } = 10;

    /// <summary>Evaluate every N optimizer steps (0: only at the end, when there is eval data).</summary>
    public int EvalSteps { get; init; }

    /// <summary>Save a checkpoint every N optimizer steps (0: none but the final adapter).</summary>
    public int SaveSteps { get; init; }

    /// <summary>Checkpoints to keep (oldest deleted first); 0 keeps all.</summary>
    public int SaveTotalLimit { get; init; } = 2;

    /// <summary>Write TensorBoard event files under <c>runs/</c> in the output folder.</summary>
    public bool TensorBoard { get; init; } = true;

    /// <summary>Checks the options, naming the first bad one.</summary>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public void Validate()
    {
        void Require(bool ok, string message)
        {
            if (!ok)
            {
                throw new ArgumentException(message);
            }
        }

        Require(!string.IsNullOrWhiteSpace(OutputDirectory), "OutputDirectory is required.");
        Require(BatchSize >= 1, $"BatchSize must be at least 1; found {BatchSize}.");
        Require(GradientAccumulationSteps >= 1, $"GradientAccumulationSteps must be at least 1; found {GradientAccumulationSteps}.");
        Require(LearningRate > 0, $"LearningRate must be positive; found {LearningRate}.");
        Require(MaxSteps > 0 || Epochs > 0, "Set Epochs or MaxSteps to a positive value.");
        Require(WarmupSteps >= 0 && WarmupRatio is >= 0 and < 1, "WarmupSteps must be ≥ 0 and WarmupRatio in [0, 1).");
        Require(MaxGradNorm >= 0, $"MaxGradNorm must be ≥ 0; found {MaxGradNorm}.");
        Require(WeightDecay >= 0, $"WeightDecay must be ≥ 0; found {WeightDecay}.");
        Require(LoggingSteps >= 1, $"LoggingSteps must be at least 1; found {LoggingSteps}.");
        Require(EvalSteps >= 0 && SaveSteps >= 0 && SaveTotalLimit >= 0, "EvalSteps, SaveSteps and SaveTotalLimit must be ≥ 0.");
    }
}
