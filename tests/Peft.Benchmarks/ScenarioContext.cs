using System.Diagnostics;
using Peft.Models;
using Peft.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Benchmarks;

/// <summary>What a scenario body gets in its child process: settings, device, scratch folders, and the result to fill.</summary>
internal sealed class ScenarioContext
{
    public ScenarioContext(BenchOptions options, ScenarioSpec spec, ScenarioResult result)
    {
        Options = options;
        Spec = spec;
        Result = result;
        IsCuda = options.Device == "cuda";
        Device = IsCuda ? new Device(DeviceType.CUDA, 0) : CPU;
        WorkDirectory = options.WorkDirectory ?? throw new ArgumentException("Child scenarios need --work.");
    }

    public BenchOptions Options { get; }

    public ScenarioSpec Spec { get; }

    public ScenarioResult Result { get; }

    public bool IsCuda { get; }

    public Device Device { get; }

    public string WorkDirectory { get; }

    /// <summary>The scenario's model shape.</summary>
    /// <exception cref="InvalidOperationException">The scenario has none.</exception>
    public ModelShape Shape => Spec.Shape is { } name ? Shapes.Get(name, Options.Quick) : throw new InvalidOperationException($"{Spec.Name} has no model shape.");

    /// <summary>
    /// How models are built: float32 on the CPU (Peft's CPU default); bfloat16 storage and compute on CUDA, as a
    /// GPU user would run.
    /// </summary>
    public ModelLoadOptions LoadOptions => IsCuda
        ? new ModelLoadOptions { Device = DeviceOption.Cuda(), StorageType = ScalarType.BFloat16, ComputeType = ScalarType.BFloat16 }
        : new ModelLoadOptions { Device = DeviceOption.Cpu };

    /// <summary>The dense float32 checkpoint of a shape written by its <c>prepare-</c> scenario.</summary>
    public string CheckpointFolder(string shape) => Path.Combine(WorkDirectory, "checkpoints", shape);

    /// <summary>A fresh empty scratch folder for this scenario.</summary>
    public string Scratch(string name)
    {
        var folder = Path.Combine(WorkDirectory, "scratch", $"{Spec.Name}-{Options.Device}", name);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>Waits for queued GPU work (no-op on the CPU, where LibTorch runs synchronously).</summary>
    public void Sync()
    {
        if (IsCuda)
        {
            cuda.synchronize();
        }
    }

    /// <summary>Runs <paramref name="warmup"/> untimed and then <paramref name="repetitions"/> timed calls; returns the timed seconds.</summary>
    public double[] Time(Action action, int? warmup = null, int? repetitions = null)
    {
        for (var i = 0; i < (warmup ?? Options.Warmup); i++)
        {
            action();
            Sync();
        }

        var seconds = new double[repetitions ?? Options.Repetitions];
        for (var i = 0; i < seconds.Length; i++)
        {
            Sync();
            var clock = Stopwatch.StartNew();
            action();
            Sync();
            seconds[i] = clock.Elapsed.TotalSeconds;
        }

        return seconds;
    }

    /// <summary>Records a repeated measurement.</summary>
    public Sample Measure(string key, Sample sample)
    {
        Result.Measurements[key] = sample;
        return sample;
    }

    /// <summary>Records a single number.</summary>
    public void Value(string key, double value) => Result.Values[key] = value;

    /// <summary>Records a descriptive string.</summary>
    public void Info(string key, string value) => Result.Info[key] = value;

    /// <summary>Writes a progress line to the child's log.</summary>
    public static void Log(string message) => Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");
}
