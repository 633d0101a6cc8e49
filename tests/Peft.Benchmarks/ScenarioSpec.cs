namespace Peft.Benchmarks;

/// <summary>One benchmark scenario: what it measures, where it runs, how long it may take.</summary>
/// <param name="Name">Unique name, also the child's <c>--scenario</c> argument.</param>
/// <param name="Group">Report section: machine, prepare, throughput, generation or checkpoint.</param>
/// <param name="Title">What it measures, for the report.</param>
/// <param name="Shape">Model shape name, or null.</param>
/// <param name="Body">Runs in the child process and fills the result.</param>
/// <param name="TimeoutSeconds">Time limit of the child process in a full run (quick runs use <see cref="QuickTimeoutSeconds"/>).</param>
internal sealed record ScenarioSpec(string Name, string Group, string Title, string? Shape, Action<ScenarioContext> Body, double TimeoutSeconds)
{
    /// <summary>Part of the quick run.</summary>
    public bool InQuick { get; init; } = true;

    /// <summary>Part of the full run.</summary>
    public bool InFull { get; init; } = true;

    /// <summary>Also run on CUDA when it is available (device-independent steps such as writing checkpoints run once).</summary>
    public bool OnCuda { get; init; } = true;

    /// <summary>Time limit in a quick run.</summary>
    public double QuickTimeoutSeconds { get; init; } = 100;

    /// <summary>Scenarios whose success this one needs (e.g. the checkpoint it loads).</summary>
    public IReadOnlyList<string> DependsOn { get; init; } = Array.Empty<string>();
}
