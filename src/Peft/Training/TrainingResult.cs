namespace Peft.Training;

/// <summary>How a training run ended.</summary>
/// <param name="Steps">Optimizer steps completed.</param>
/// <param name="Cancelled">True when the run stopped early on cancellation (a checkpoint was saved).</param>
/// <param name="FinalMetrics">The last training and evaluation metrics.</param>
/// <param name="OutputDirectory">Where the adapter, checkpoints and metrics are.</param>
/// <param name="LastCheckpoint">The newest checkpoint folder, if any.</param>
/// <param name="WallTime">Time spent in this run.</param>
/// <param name="TokensPerSecond">Mean training throughput of this run.</param>
public sealed record TrainingResult(
    long Steps,
    bool Cancelled,
    IReadOnlyDictionary<string, double> FinalMetrics,
    string OutputDirectory,
    string? LastCheckpoint,
    TimeSpan WallTime,
    double TokensPerSecond);
