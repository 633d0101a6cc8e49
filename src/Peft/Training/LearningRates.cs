namespace Peft.Training;

/// <summary>Learning rate as a function of the optimizer step, matching transformers' schedulers with warmup.</summary>
public static class LearningRates
{
    /// <summary>The learning rate used for optimizer step <paramref name="step"/> (0-based).</summary>
    /// <param name="schedule">The schedule.</param>
    /// <param name="baseRate">The peak learning rate.</param>
    /// <param name="step">Steps completed so far (0 for the first update).</param>
    /// <param name="warmupSteps">Linear warmup length: the rate is <c>base·step/warmup</c> during it.</param>
    /// <param name="totalSteps">Total optimizer steps of the run.</param>
    /// <remarks>
    /// After warmup, with <c>p = (step − warmup) / (total − warmup)</c>: constant <c>base</c>; linear
    /// <c>base·(1 − p)</c>; cosine <c>base·½(1 + cos πp)</c> — transformers' <c>get_*_schedule_with_warmup</c>.
    /// </remarks>
    public static double At(LearningRateSchedule schedule, double baseRate, long step, long warmupSteps, long totalSteps)
    {
        if (step < warmupSteps)
        {
            return baseRate * step / Math.Max(1, warmupSteps);
        }

        var progress = (double)(step - warmupSteps) / Math.Max(1, totalSteps - warmupSteps);
        return schedule switch
        {
            LearningRateSchedule.Constant => baseRate,
            LearningRateSchedule.Linear => baseRate * Math.Max(0.0, 1 - progress),
            LearningRateSchedule.Cosine => baseRate * Math.Max(0.0, 0.5 * (1 + Math.Cos(Math.PI * progress))),
            _ => throw new ArgumentOutOfRangeException(nameof(schedule)),
        };
    }
}
