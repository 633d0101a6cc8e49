using System.Globalization;
using System.Runtime.InteropServices;
using TorchSharp;

namespace Peft.Benchmarks;

/// <summary>The machine a run measured: CPU, cores, memory, OS and library versions (Linux /proc where available).</summary>
internal sealed record MachineInfo
{
    public string CpuModel { get; init; } = "unknown";

    public int LogicalCpus { get; init; }

    /// <summary>SIMD features that matter for LibTorch's CPU kernels (avx2, avx512f, avx512_bf16, amx_bf16, …) that the CPU reports.</summary>
    public IReadOnlyList<string> CpuFeatures { get; init; } = Array.Empty<string>();

    public long? MemoryBytes { get; init; }

    public string Os { get; init; } = RuntimeInformation.OSDescription;

    public string DotNet { get; init; } = RuntimeInformation.FrameworkDescription;

    public string? LibTorch { get; init; }

    public string? TorchSharp { get; init; }

    public bool CudaAvailable { get; init; }

    /// <summary>Collects the description (call after LibTorch is loaded).</summary>
    public static MachineInfo Collect()
    {
        var cpuinfo = TryRead("/proc/cpuinfo") ?? string.Empty;
        var lines = cpuinfo.Split('\n');
        string? Field(string name) => lines.FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
        var flags = (Field("flags") ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        var interesting = new[] { "avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "avx512_fp16", "amx_tile", "amx_bf16", "amx_int8" };
        var memKb = (TryRead("/proc/meminfo") ?? string.Empty).Split('\n').FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))
            ?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        string? libtorch = null;
        try
        {
            libtorch = torch.__version__;
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException or InvalidOperationException)
        {
            // older LibTorchSharp builds lack the export
        }

        return new MachineInfo
        {
            CpuModel = Field("model name") ?? RuntimeInformation.ProcessArchitecture.ToString(),
            LogicalCpus = Environment.ProcessorCount,
            CpuFeatures = interesting.Where(flags.Contains).ToArray(),
            MemoryBytes = long.TryParse(memKb, NumberStyles.Integer, CultureInfo.InvariantCulture, out var kb) ? kb * 1024 : null,
            LibTorch = libtorch,
            TorchSharp = typeof(torch).Assembly.GetName().Version?.ToString(),
            CudaAvailable = CudaProbe.IsAvailable(out _),
        };
    }

    /// <summary>One line for the report.</summary>
    public string Describe() =>
        $"{CpuModel}, {LogicalCpus} logical CPU(s) [{string.Join(", ", CpuFeatures)}], "
        + $"{(MemoryBytes is { } m ? $"{m / 1073741824.0:F1} GiB RAM" : "RAM unknown")}; {Os}; {DotNet}; LibTorch {LibTorch ?? "?"} (TorchSharp {TorchSharp ?? "?"})";

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
