namespace Peft.Benchmarks;

/// <summary>What one scenario produced (written by the child process, completed by the parent).</summary>
internal sealed class ScenarioResult
{
    /// <summary>Scenario name, e.g. <c>lora-smol135m</c>.</summary>
    public required string Name { get; init; }

    /// <summary><c>cpu</c> or <c>cuda</c>.</summary>
    public required string Device { get; init; }

    /// <summary><c>ok</c>, <c>failed</c>, <c>timeout</c> or <c>skipped</c>.</summary>
    public string Status { get; set; } = "ok";

    /// <summary>Why the scenario failed or was skipped.</summary>
    public string? Reason { get; set; }

    /// <summary>Repeated measurements by key (e.g. <c>tokens_per_second</c>, <c>step_ms</c>).</summary>
    public Dictionary<string, Sample> Measurements { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Single numbers (e.g. <c>flops_per_token</c>, <c>file_bytes</c>, <c>loss_last</c>).</summary>
    public Dictionary<string, double> Values { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Descriptive strings (shape, settings, conventions).</summary>
    public Dictionary<string, string> Info { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Peak resident set of the scenario's process (VmHWM), in bytes.</summary>
    public long? PeakRssBytes { get; set; }

    /// <summary>Resident set after the runtime and LibTorch were loaded, before the scenario's work (VmRSS), in bytes.</summary>
    public long? BaselineRssBytes { get; set; }

    /// <summary>Wall time of the whole child process as the parent saw it, in seconds.</summary>
    public double WallSeconds { get; set; }

    /// <summary>The 1-minute load average when the scenario started (from /proc/loadavg).</summary>
    public double? LoadAverageAtStart { get; set; }

    /// <summary>The log file of the child process, relative to the output folder.</summary>
    public string? Log { get; set; }

    /// <summary>A measurement, or null when absent.</summary>
    public Sample? Get(string key) => Measurements.GetValueOrDefault(key);

    /// <summary>A value, or null when absent.</summary>
    public double? Value(string key) => Values.TryGetValue(key, out var v) ? v : null;
}
