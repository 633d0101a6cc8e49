namespace Peft.Training;

/// <summary>Where a run stands; saved as <c>trainer_state.json</c> in every checkpoint.</summary>
internal sealed record TrainerState
{
    /// <summary>Optimizer steps completed.</summary>
    public long Step { get; set; }

    /// <summary>Epoch of the next micro-batch.</summary>
    public int Epoch { get; set; }

    /// <summary>Index of the next micro-batch within its epoch.</summary>
    public int BatchIndex { get; set; }

    /// <summary>Training tokens fed so far.</summary>
    public long TokensSeen { get; set; }

    /// <summary>Total optimizer steps the run was planned with.</summary>
    public long TotalSteps { get; set; }

    /// <summary>Seed of the run.</summary>
    public long Seed { get; set; }

    /// <summary>The last logged metrics.</summary>
    public Dictionary<string, double> LastMetrics { get; set; } = new();
}
