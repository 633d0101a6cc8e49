using System.Diagnostics;
using System.Runtime.InteropServices;
using Peft.Checkpoints;
using Peft.Models;
using Peft.Quantization;
using Peft.Runtime;
using static TorchSharp.torch;

namespace Peft.Benchmarks;

/// <summary>Writing and loading safetensors checkpoints.</summary>
internal static unsafe class CheckpointScenarios
{
    /// <summary>Writes the shape's model (random weights) as a float32 Hugging Face folder in the scratch folder.</summary>
    public static void Prepare(ScenarioContext ctx)
    {
        var shape = ctx.Shape;
        var folder = ctx.CheckpointFolder(shape.Name);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        var clock = Stopwatch.StartNew();
        using var model = CausalLM.Create(shape.Config, new ModelLoadOptions { Device = DeviceOption.Cpu }, seed: 7);
        ctx.Value("create_seconds", clock.Elapsed.TotalSeconds);
        clock.Restart();
        model.SavePretrained(folder, ScalarType.Float32);
        var seconds = clock.Elapsed.TotalSeconds;
        var bytes = FileBytes(folder);
        ctx.Value("file_bytes", bytes);
        ctx.Value("write_seconds", seconds);
        ctx.Value("write_gb_per_second", bytes / 1e9 / seconds);
        ctx.Value("parameters", shape.Config.ParameterCount());
        ctx.Info("shape", shape.Describe());
        ctx.Info("folder", folder);
        ScenarioContext.Log($"wrote {bytes / 1e9:F3} GB in {seconds:F2} s ({bytes / 1e9 / seconds:F2} GB/s, one write, not repeated)");
    }

    /// <summary><see cref="CausalLM.FromPretrained"/> of the float32 checkpoint (the default, non-low-memory path).</summary>
    public static void LoadDense(ScenarioContext ctx) =>
        Load(ctx, folder => CausalLM.FromPretrained(folder, ctx.LoadOptions), "CausalLM.FromPretrained(folder) with default options");

    /// <summary><see cref="QuantizedModel.FromPretrained"/> with NF4 + double quantization: each projection quantized as it streams in.</summary>
    public static void LoadNf4(ScenarioContext ctx)
    {
        var config = QuantizationConfig.Nf4(doubleQuant: true, computeDtype: ctx.IsCuda ? ScalarType.BFloat16 : null);
        var reported = false;
        Load(ctx, folder =>
        {
            var model = QuantizedModel.FromPretrained(folder, config, ctx.LoadOptions);
            if (!reported)
            {
                var report = ModelMemoryReport.Create(model);
                ctx.Value("nf4_base_bytes_per_parameter", report.QuantizedBytesPerParameter);
                ctx.Value("quantized_parameters", report.QuantizedParameters);
                ctx.Value("model_bytes", report.TotalBytes);
                reported = true;
            }

            return model;
        }, "QuantizedModel.FromPretrained(folder, QuantizationConfig.Nf4(doubleQuant: true))");
    }

    /// <summary>
    /// The reader alone: every tensor of the checkpoint copied with <see cref="SafetensorsFile.ReadInto"/> into
    /// preallocated, already-touched tensors (a fresh mapping per repetition), against a plain single-threaded
    /// memory copy of the same byte count (the copy the reader itself does) and LibTorch's multi-threaded
    /// <c>copy_</c>, all in this process.
    /// </summary>
    public static void ReadRaw(ScenarioContext ctx)
    {
        var folder = ctx.CheckpointFolder("load");
        var files = Directory.GetFiles(folder, "*.safetensors");
        var bytes = FileBytes(folder);
        ctx.Value("file_bytes", bytes);

        var destinations = new List<(string File, string Name, Tensor Tensor)>();
        foreach (var file in files)
        {
            using var opened = SafetensorsFile.Open(file);
            destinations.AddRange(opened.Tensors.Select(t => (file, t.Name, zeros(t.Shape, t.ScalarType))));
        }

        var tensorBytes = destinations.Sum(d => d.Tensor.numel() * d.Tensor.element_size());
        ctx.Value("tensor_bytes", tensorBytes);
        var read = ctx.Time(() =>
        {
            foreach (var group in destinations.GroupBy(d => d.File))
            {
                using var file = SafetensorsFile.Open(group.Key);
                foreach (var (_, name, tensor) in group)
                {
                    file.ReadInto(name, tensor);
                }
            }
        }, warmup: 1);
        destinations.ForEach(d => d.Tensor.Dispose());
        Report(ctx, "read", read, tensorBytes);

        var source = (byte*)NativeMemory.Alloc((nuint)tensorBytes);
        var target = (byte*)NativeMemory.Alloc((nuint)tensorBytes);
        try
        {
            for (long i = 0; i < tensorBytes; i += 4096)
            {
                source[i] = (byte)i; // touch every page of both buffers before timing
                target[i] = 0;
            }

            var copy = ctx.Time(() => Copy(source, target, tensorBytes), warmup: 1);
            Report(ctx, "memcpy", copy, tensorBytes);
        }
        finally
        {
            NativeMemory.Free(source);
            NativeMemory.Free(target);
        }

        using (var from = ones(tensorBytes / 4))
        using (var to = zeros(tensorBytes / 4))
        {
            var torchCopy = ctx.Time(() => to.copy_(from), warmup: 1);
            Report(ctx, "torch_copy", torchCopy, tensorBytes);
        }

        ctx.Info("method", "page cache warm (the file was just written and read once untimed); read = SafetensorsFile.Open + ReadInto for every tensor; "
            + "memcpy = Buffer.MemoryCopy in 64 MiB chunks (single thread, as the reader copies); torch_copy = Tensor.copy_ (LibTorch threads)");
    }

    private static void Load(ScenarioContext ctx, Func<string, CausalLM> load, string call)
    {
        var folder = ctx.CheckpointFolder("load");
        var bytes = FileBytes(folder);
        ctx.Value("file_bytes", bytes);
        ctx.Value("parameters", ctx.Shape.Config.ParameterCount());
        // The untimed first load also gives the peak of a single load in a fresh process (the later ones can only
        // raise VmHWM through allocator reuse, so the scenario's peak RSS is reported alongside).
        using (load(folder))
        {
        }

        if (ProcStatus.PeakResidentBytes() is { } firstPeak)
        {
            ctx.Value("peak_rss_first_load_bytes", firstPeak);
        }

        var seconds = ctx.Time(() =>
        {
            using var model = load(folder);
        }, warmup: 0);
        Report(ctx, "load", seconds, bytes);
        ctx.Info("method", $"{call}; page cache warm (file written by prepare-load and loaded once untimed); GB/s = file bytes / load time; "
            + "peak RSS counts the mapped file's pages while they are mapped");
        ctx.Info("shape", ctx.Shape.Describe());
    }

    private static void Report(ScenarioContext ctx, string key, double[] seconds, long bytes)
    {
        ctx.Measure($"{key}_seconds", Sample.Of("s", seconds));
        var rate = ctx.Measure($"{key}_gb_per_second", Sample.Of("s", seconds).Map("GB/s", s => bytes / 1e9 / s));
        ScenarioContext.Log($"{key}: {bytes / 1e9:F3} GB, median {rate.Median:F2} GB/s (min {rate.Min:F2}, max {rate.Max:F2})");
    }

    private static void Copy(byte* source, byte* destination, long byteCount)
    {
        const long chunk = 64L << 20;
        for (long done = 0; done < byteCount; done += chunk)
        {
            var n = Math.Min(chunk, byteCount - done);
            Buffer.MemoryCopy(source + done, destination + done, n, n);
        }
    }

    private static long FileBytes(string folder) =>
        Directory.Exists(folder)
            ? Directory.GetFiles(folder, "*.safetensors").Sum(f => new FileInfo(f).Length)
            : throw new DirectoryNotFoundException($"No checkpoint at '{folder}': its prepare- scenario did not run or failed.");
}
