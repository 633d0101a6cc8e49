namespace Peft.Benchmarks;

/// <summary>Everything one run measured: results.json.</summary>
internal sealed class RunResults
{
    /// <summary><c>quick</c> or <c>full</c>.</summary>
    public required string Mode { get; init; }

    /// <summary>The command line that produced the run.</summary>
    public required string Command { get; init; }

    public required DateTimeOffset Started { get; init; }

    public double WallSeconds { get; set; }

    public required MachineInfo Machine { get; init; }

    /// <summary>LibTorch threads per scenario.</summary>
    public int Threads { get; init; }

    /// <summary>Untimed repetitions per figure.</summary>
    public int Warmup { get; init; }

    /// <summary>Timed repetitions per figure.</summary>
    public int Repetitions { get; init; }

    public double[]? LoadAverageAtStart { get; init; }

    public double[]? LoadAverageAtEnd { get; set; }

    /// <summary>The git commit of the working tree, when it could be read.</summary>
    public string? GitCommit { get; init; }

    /// <summary>Why the CUDA pass did not run (null when it did).</summary>
    public string? CudaSkipped { get; set; }

    /// <summary>How FLOPs and fractions are counted.</summary>
    public IReadOnlyList<string> Conventions { get; init; } = Array.Empty<string>();

    public List<ScenarioResult> Scenarios { get; init; } = new();

    /// <summary>The result of a scenario on a device, or null.</summary>
    public ScenarioResult? Find(string name, string device = "cpu") =>
        Scenarios.FirstOrDefault(s => s.Name == name && s.Device == device);

    /// <summary>The result of a scenario when it succeeded, else null.</summary>
    public ScenarioResult? Ok(string name, string device = "cpu") => Find(name, device) is { Status: "ok" } r ? r : null;
}
