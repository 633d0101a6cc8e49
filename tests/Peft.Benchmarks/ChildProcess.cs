using System.Diagnostics;
using System.Globalization;
using System.Reflection;

namespace Peft.Benchmarks;

/// <summary>Starts this app again for one scenario, with a time limit, its output captured to a log file.</summary>
internal static class ChildProcess
{
    /// <summary>Runs a scenario in its own process and returns its result; failures, crashes and timeouts become results too.</summary>
    public static ScenarioResult Run(ScenarioSpec spec, string device, BenchOptions options, string workDirectory, string outputDirectory)
    {
        var id = $"{spec.Name}-{device}";
        var resultFile = Path.Combine(workDirectory, "results", id + ".json");
        var logRelative = Path.Combine("logs", id + ".log");
        var logFile = Path.Combine(outputDirectory, logRelative);
        Directory.CreateDirectory(Path.GetDirectoryName(resultFile)!);
        Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);
        File.Delete(resultFile);

        var start = SelfStartInfo();
        foreach (var arg in options.ChildArguments(spec.Name, device, resultFile, workDirectory))
        {
            start.ArgumentList.Add(arg);
        }

        var threads = options.Threads.ToString(CultureInfo.InvariantCulture);
        start.Environment["OMP_NUM_THREADS"] = threads;
        start.Environment["MKL_NUM_THREADS"] = threads;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;

        var limit = TimeSpan.FromSeconds((options.Quick ? spec.QuickTimeoutSeconds : spec.TimeoutSeconds) * options.TimeoutScale);
        var clock = Stopwatch.StartNew();
        var timedOut = false;
        int? exitCode = null;
        var tail = new Queue<string>();
        using (var log = new StreamWriter(logFile, append: false) { AutoFlush = true })
        using (var process = new Process { StartInfo = start })
        {
            void Capture(string? line)
            {
                if (line is null)
                {
                    return;
                }

                lock (tail)
                {
                    log.WriteLine(line);
                    tail.Enqueue(line);
                    if (tail.Count > 8)
                    {
                        tail.Dequeue();
                    }
                }
            }

            process.OutputDataReceived += (_, e) => Capture(e.Data);
            process.ErrorDataReceived += (_, e) => Capture(e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (!process.WaitForExit(limit))
            {
                timedOut = true;
                process.Kill(entireProcessTree: true); // only the child this run started
            }

            process.WaitForExit(); // drains the redirected output
            exitCode = timedOut ? null : process.ExitCode;
        }

        var wall = clock.Elapsed.TotalSeconds;
        ScenarioResult result;
        if (timedOut)
        {
            result = new ScenarioResult { Name = spec.Name, Device = device, Status = "timeout", Reason = string.Create(CultureInfo.InvariantCulture, $"killed after the {limit.TotalSeconds:0.#} s limit") };
        }
        else if (File.Exists(resultFile))
        {
            result = ResultsJson.ReadResult(resultFile);
        }
        else
        {
            string lastLines;
            lock (tail)
            {
                lastLines = string.Join(" | ", tail);
            }

            result = new ScenarioResult
            {
                Name = spec.Name,
                Device = device,
                Status = "failed",
                Reason = $"the process exited with code {exitCode} without a result (crash?); last output: {lastLines}",
            };
        }

        result.WallSeconds = wall;
        result.Log = logRelative;
        return result;
    }

    /// <summary>How to start this same app: its apphost, or <c>dotnet app.dll</c> when it was started that way.</summary>
    private static ProcessStartInfo SelfStartInfo()
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot find this process's executable to start scenarios.");
        var start = new ProcessStartInfo(host);
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        return start;
    }
}
