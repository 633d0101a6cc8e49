using System.Globalization;
using Peft.Runtime;
using TorchSharp;

namespace Peft.Benchmarks;

/// <summary>The child process: runs one scenario and writes its result file, also when the scenario fails.</summary>
internal static class ScenarioHost
{
    /// <summary>Runs the scenario named in the options; returns 0 when it succeeded.</summary>
    public static int Run(BenchOptions options)
    {
        var result = new ScenarioResult { Name = options.Scenario!, Device = options.Device };
        try
        {
            var spec = ScenarioCatalog.Find(options.Scenario!)
                       ?? throw new ArgumentException($"Unknown scenario '{options.Scenario}'; run with --list to see them.");
            TorchRuntime.EnsureInitialized();
            torch.set_num_threads(options.Threads);
            result.LoadAverageAtStart = ProcStatus.LoadAverages()?[0];
            if (options.Device == "cuda" && !torch.cuda.is_available())
            {
                throw new InvalidOperationException("--device cuda, but torch.cuda.is_available() is false in this process.");
            }

            result.BaselineRssBytes = ProcStatus.ResidentBytes();
            result.Info["threads"] = torch.get_num_threads().ToString(CultureInfo.InvariantCulture);
            result.Info["mode"] = options.Quick ? "quick" : "full";
            ScenarioContext.Log($"{spec.Name} on {options.Device}, {options.Threads} thread(s): {spec.Title}");
            spec.Body(new ScenarioContext(options, spec, result));
        }
        catch (Exception ex)
        {
            result.Status = "failed";
            result.Reason = $"{ex.GetType().Name}: {ex.Message}";
            Console.Error.WriteLine(ex);
        }

        result.PeakRssBytes = ProcStatus.PeakResidentBytes();
        var json = ResultsJson.Serialize(result);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.ResultFile!))!);
        AtomicText.Write(options.ResultFile!, json);
        ScenarioContext.Log($"{result.Status}; peak RSS {result.PeakRssBytes / 1048576.0:F0} MiB");
        return result.Status == "ok" ? 0 : 1;
    }
}
