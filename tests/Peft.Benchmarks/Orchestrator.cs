using System.Diagnostics;
using System.Globalization;
using Peft.Runtime;

namespace Peft.Benchmarks;

/// <summary>The parent run: plans the scenarios, runs each in its own process, and writes results.json and results.md.</summary>
internal static class Orchestrator
{
    /// <summary>Runs the plan; returns 0 when every scenario succeeded, 1 when some failed, timed out or were skipped.</summary>
    public static int Run(BenchOptions options, IReadOnlyList<string> args)
    {
        var plan = ScenarioCatalog.Plan(options.Quick, options.Only);
        if (options.List)
        {
            foreach (var spec in plan)
            {
                Console.WriteLine(Inv($"{spec.Name,-18} {spec.Group,-11} {(options.Quick ? spec.QuickTimeoutSeconds : spec.TimeoutSeconds),5:F0} s  {spec.Title}"));
            }

            return 0;
        }

        var output = Path.GetFullPath(options.Output);
        Directory.CreateDirectory(output);
        var ownsWork = options.WorkDirectory is null;
        var work = Path.GetFullPath(options.WorkDirectory ?? Path.Combine(Path.GetTempPath(), "peft-bench-" + Guid.NewGuid().ToString("N")[..8]));
        Directory.CreateDirectory(work);

        TorchRuntime.EnsureInitialized();
        var machine = MachineInfo.Collect();
        var run = new RunResults
        {
            Mode = options.Quick ? "quick" : "full",
            Command = "Peft.Benchmarks " + string.Join(' ', args),
            Started = DateTimeOffset.UtcNow,
            Machine = machine,
            Threads = options.Threads,
            Warmup = options.Warmup,
            Repetitions = options.Repetitions,
            LoadAverageAtStart = ProcStatus.LoadAverages(),
            GitCommit = GitCommit(),
            Conventions = Derived.Conventions,
        };
        Console.WriteLine($"Peft benchmarks ({run.Mode}): {plan.Count} scenario(s), {options.Threads} thread(s), output {output}");
        Console.WriteLine("Machine: " + machine.Describe());
        Console.WriteLine(Inv($"Load average: {string.Join(" / ", run.LoadAverageAtStart ?? Array.Empty<double>())}"));
        var clock = Stopwatch.StartNew();

        RunPass(run, plan, "cpu", options, work, output);
        if (options.NoCuda)
        {
            run.CudaSkipped = "--no-cuda was given.";
        }
        else if (CudaProbe.IsAvailable(out var reason))
        {
            Console.WriteLine($"CUDA pass: {reason}");
            RunPass(run, plan.Where(s => s.OnCuda).ToList(), "cuda", options, work, output);
        }
        else
        {
            run.CudaSkipped = reason;
            Console.WriteLine("CUDA pass skipped: " + reason);
        }

        run.WallSeconds = clock.Elapsed.TotalSeconds;
        run.LoadAverageAtEnd = ProcStatus.LoadAverages();
        Derived.Apply(run);
        AtomicText.Write(Path.Combine(output, "results.json"), ResultsJson.Serialize(run));
        AtomicText.Write(Path.Combine(output, "results.md"), MarkdownReport.Render(run));
        if (ownsWork && !options.KeepWork)
        {
            TryDelete(work);
        }

        var failed = run.Scenarios.Count(s => s.Status != "ok");
        Console.WriteLine(Inv($"Done in {run.WallSeconds:F0} s: {run.Scenarios.Count - failed} ok, {failed} not ok. Wrote {Path.Combine(output, "results.json")} and results.md."));
        return failed == 0 ? 0 : 1;
    }

    private static void RunPass(RunResults run, IReadOnlyList<ScenarioSpec> plan, string device, BenchOptions options, string work, string output)
    {
        foreach (var spec in plan)
        {
            // Device-independent steps (writing checkpoints) ran in the CPU pass; the CUDA pass depends on those results.
            var missing = spec.DependsOn.FirstOrDefault(d => run.Ok(d, "cpu") is null && run.Ok(d, device) is null);
            ScenarioResult result;
            Console.Write(Inv($"[{DateTime.Now:HH:mm:ss}] {spec.Name} ({device}) ... "));
            if (missing is not null)
            {
                var status = run.Find(missing, "cpu")?.Status ?? "not run";
                result = new ScenarioResult { Name = spec.Name, Device = device, Status = "skipped", Reason = $"needs {missing}, which is {status}" };
            }
            else
            {
                try
                {
                    result = ChildProcess.Run(spec, device, options, work, output);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception
                                               or InvalidOperationException or System.Text.Json.JsonException)
                {
                    result = new ScenarioResult { Name = spec.Name, Device = device, Status = "failed", Reason = $"could not run the child process: {ex.Message}" };
                }
            }

            run.Scenarios.Add(result);
            Console.WriteLine(Summary(result));
        }
    }

    private static string Summary(ScenarioResult r)
    {
        if (r.Status != "ok")
        {
            return Inv($"{r.Status.ToUpperInvariant()}: {r.Reason}");
        }

        var headline = r.Get("tokens_per_second") is { } t ? Inv($"{t.Median:F1} tokens/s (min {t.Min:F1}, max {t.Max:F1})")
            : r.Get("generate_tokens_per_second") is { } g ? Inv($"{g.Median:F1} tokens/s generated")
            : r.Value("ceiling_gflops") is { } c ? Inv($"fp32 ceiling {c:F1} GFLOP/s")
            : r.Get("load_gb_per_second") is { } l ? Inv($"{l.Median:F2} GB/s")
            : r.Get("read_gb_per_second") is { } rd ? Inv($"read {rd.Median:F2} GB/s vs memcpy {r.Get("memcpy_gb_per_second")?.Median:F2} GB/s")
            : r.Value("write_gb_per_second") is { } w ? Inv($"wrote {r.Value("file_bytes") / 1e9:F3} GB at {w:F2} GB/s")
            : "ok";
        return Inv($"{headline}; peak RSS {r.PeakRssBytes / 1048576.0:F0} MiB; {r.WallSeconds:F0} s");
    }

    private static string? GitCommit()
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", "rev-parse --short HEAD") { RedirectStandardOutput = true, RedirectStandardError = true });
            if (git is null)
            {
                return null;
            }

            var text = git.StandardOutput.ReadToEnd().Trim();
            return git.WaitForExit(5000) && git.ExitCode == 0 && text.Length > 0 ? text : null;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return null;
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.WriteLine($"Could not delete the scratch folder {folder}: {ex.Message}");
        }
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
