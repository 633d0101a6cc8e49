using System.Globalization;

namespace Peft.Benchmarks;

/// <summary>
/// Command-line settings. The parent run (no <c>--scenario</c>) plans and launches one child process per scenario;
/// a child (<c>--scenario NAME --result FILE</c>) runs that scenario alone and writes its result as JSON.
/// </summary>
internal sealed record BenchOptions
{
    /// <summary>Fewer repetitions, the tiny shape only and a smaller checkpoint: finishes in about two minutes.</summary>
    public bool Quick { get; init; }

    /// <summary>LibTorch intra-op threads in every scenario (default: all cores).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Folder for results.json, results.md and the per-scenario logs.</summary>
    public string Output { get; init; } = Path.Combine("out", "benchmarks");

    /// <summary>Child mode: the scenario to run.</summary>
    public string? Scenario { get; init; }

    /// <summary>Child mode: where to write the scenario's result JSON.</summary>
    public string? ResultFile { get; init; }

    /// <summary>Scratch folder for generated checkpoints and trainer output; a fresh temp folder by default.</summary>
    public string? WorkDirectory { get; init; }

    /// <summary>Child mode: <c>cpu</c> or <c>cuda</c>.</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>Run only scenarios whose name starts with one of these (plus what they depend on).</summary>
    public IReadOnlyList<string> Only { get; init; } = Array.Empty<string>();

    /// <summary>Keep the scratch folder (generated checkpoints) after the run.</summary>
    public bool KeepWork { get; init; }

    /// <summary>Multiplies every scenario's time limit (for slow or loaded machines).</summary>
    public double TimeoutScale { get; init; } = 1.0;

    /// <summary>Skip the CUDA pass even when CUDA is available.</summary>
    public bool NoCuda { get; init; }

    /// <summary>Print the planned scenarios and exit.</summary>
    public bool List { get; init; }

    /// <summary>Print usage and exit.</summary>
    public bool Help { get; init; }

    /// <summary>Overrides the warm-up count (for smoke tests of long scenarios).</summary>
    public int? WarmupOverride { get; init; }

    /// <summary>Overrides the repetition count (for smoke tests of long scenarios; fewer than 3 is not a benchmark).</summary>
    public int? RepetitionsOverride { get; init; }

    /// <summary>Untimed repetitions before the timed ones.</summary>
    public int Warmup => WarmupOverride ?? (Quick ? 1 : 2);

    /// <summary>Timed repetitions (the median, min and max are reported).</summary>
    public int Repetitions => RepetitionsOverride ?? (Quick ? 3 : 5);

    /// <summary>True in a child process.</summary>
    public bool IsChild => Scenario is not null;

    public const string Usage = """
        Peft for .NET benchmarks (docs/benchmarks.md)

        usage: Peft.Benchmarks [--quick] [--threads N] [--output DIR] [--only NAME[,NAME...]]
                               [--work DIR] [--keep-work] [--timeout-scale X] [--no-cuda] [--list]
                               [--warmup N] [--repetitions N]

          --quick            fewer repetitions, tiny shape only, ~0.4 GB checkpoint (about 2 minutes)
          --threads N        LibTorch threads per scenario (default: all cores)
          --output DIR       where results.json, results.md and logs/ go (default out/benchmarks)
          --only A,B         only scenarios whose names start with A or B (dependencies are added)
          --work DIR         scratch folder for generated checkpoints (default: a new temp folder)
          --keep-work        do not delete the scratch folder
          --timeout-scale X  multiply every scenario's time limit by X
          --no-cuda          skip the CUDA pass even when CUDA is available
          --list             print the scenarios that would run and exit
          --warmup N         untimed repetitions per figure (default 2; quick 1)
          --repetitions N    timed repetitions per figure (default 5; quick 3); below 3 is a smoke test

        Each scenario runs in its own process (peak RSS = that process's VmHWM); a failing or timed-out
        scenario is reported and the others continue.
        """;

    /// <summary>Parses the command line.</summary>
    /// <exception cref="ArgumentException">An option is unknown or its value is missing or invalid (the message names it).</exception>
    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value()
            {
                if (i + 1 >= args.Count)
                {
                    throw new ArgumentException($"Option {arg} needs a value.");
                }

                return args[++i];
            }

            options = arg switch
            {
                "--quick" => options with { Quick = true },
                "--threads" => options with { Threads = PositiveInt(arg, Value()) },
                "--output" => options with { Output = Value() },
                "--scenario" => options with { Scenario = Value() },
                "--result" => options with { ResultFile = Value() },
                "--work" => options with { WorkDirectory = Value() },
                "--device" => options with { Device = DeviceName(Value()) },
                "--only" => options with { Only = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                "--keep-work" => options with { KeepWork = true },
                "--timeout-scale" => options with { TimeoutScale = PositiveDouble(arg, Value()) },
                "--no-cuda" => options with { NoCuda = true },
                "--list" => options with { List = true },
                "--warmup" => options with { WarmupOverride = NonNegativeInt(arg, Value()) },
                "--repetitions" => options with { RepetitionsOverride = PositiveInt(arg, Value()) },
                "--help" or "-h" => options with { Help = true },
                _ => throw new ArgumentException($"Unknown option '{arg}'. Run with --help for the list."),
            };
        }

        if (options.IsChild && options.ResultFile is null)
        {
            throw new ArgumentException("--scenario needs --result FILE.");
        }

        return options;
    }

    /// <summary>The options a child process receives to reproduce this run's settings.</summary>
    public IEnumerable<string> ChildArguments(string scenario, string device, string resultFile, string workDirectory)
    {
        yield return "--scenario";
        yield return scenario;
        yield return "--device";
        yield return device;
        yield return "--result";
        yield return resultFile;
        yield return "--work";
        yield return workDirectory;
        yield return "--threads";
        yield return Threads.ToString(CultureInfo.InvariantCulture);
        if (Quick)
        {
            yield return "--quick";
        }

        if (WarmupOverride is { } warmup)
        {
            yield return "--warmup";
            yield return warmup.ToString(CultureInfo.InvariantCulture);
        }

        if (RepetitionsOverride is { } repetitions)
        {
            yield return "--repetitions";
            yield return repetitions.ToString(CultureInfo.InvariantCulture);
        }
    }

    private static int PositiveInt(string option, string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"Option {option} expects a positive integer; found '{text}'.");

    private static int NonNegativeInt(string option, string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0
            ? n
            : throw new ArgumentException($"Option {option} expects a non-negative integer; found '{text}'.");

    private static double PositiveDouble(string option, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && x > 0
            ? x
            : throw new ArgumentException($"Option {option} expects a positive number; found '{text}'.");

    private static string DeviceName(string text) => text is "cpu" or "cuda"
        ? text
        : throw new ArgumentException($"Option --device expects 'cpu' or 'cuda'; found '{text}'.");
}
