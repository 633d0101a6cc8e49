namespace Peft.Training;

/// <summary>A progress report from the training loop.</summary>
/// <param name="Kind">What happened: <c>train</c> (a logging step), <c>eval</c>, or <c>checkpoint</c>.</param>
/// <param name="Step">Optimizer steps completed.</param>
/// <param name="TotalSteps">Optimizer steps of the run.</param>
/// <param name="Epoch">Fractional epoch.</param>
/// <param name="Loss">Mean training loss since the last report (or the eval loss for <c>eval</c>).</param>
/// <param name="LearningRate">Learning rate of the last step.</param>
/// <param name="GradNorm">Gradient norm before clipping, of the last step.</param>
/// <param name="TokensPerSecond">Training throughput since the last report.</param>
/// <param name="Eta">Estimated time to the end.</param>
/// <param name="MemoryBytes">Resident memory of the process.</param>
/// <param name="Metrics">All metrics of the report with Hugging Face names (loss, learning_rate, eval_loss, rewards/…).</param>
public sealed record TrainingProgress(
    string Kind,
    long Step,
    long TotalSteps,
    double Epoch,
    double Loss,
    double LearningRate,
    double GradNorm,
    double TokensPerSecond,
    TimeSpan Eta,
    long MemoryBytes,
    IReadOnlyDictionary<string, double> Metrics);
