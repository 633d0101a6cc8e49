using System.Globalization;
using System.Text;

namespace Peft.Benchmarks;

/// <summary>results.md: the run as tables (medians with min–max), for docs/benchmarks.md.</summary>
internal static class MarkdownReport
{
    public static string Render(RunResults run)
    {
        var md = new StringBuilder();
        md.AppendLine(Inv($"# Peft for .NET benchmarks: {run.Mode} run, {run.Started:yyyy-MM-dd HH:mm} UTC"));
        md.AppendLine();
        if (run.Mode == "quick")
        {
            md.AppendLine("> **Quick run**: fewer repetitions, the tiny shape only, a smaller checkpoint. For checking that every scenario works, not for quoting.");
            md.AppendLine();
        }

        if (run.Repetitions < 3)
        {
            md.AppendLine(Inv($"> **Smoke test**: {run.Repetitions} timed repetition(s) per figure; medians of fewer than 3 are not benchmark results."));
            md.AppendLine();
        }

        var load = run.LoadAverageAtStart?[0];
        if (load is { } l && l > 0.5 * run.Machine.LogicalCpus)
        {
            md.AppendLine(Inv($"> **Taken under load** (1-minute load average {l:F1} at the start, {run.LoadAverageAtEnd?[0]:F1} at the end, on {run.Machine.LogicalCpus} CPUs): other processes competed for the cores; these numbers are not representative."));
            md.AppendLine();
        }

        md.AppendLine(Inv($"- Command: `{run.Command}`"));
        md.AppendLine(Inv($"- Machine: {run.Machine.Describe()}"));
        md.AppendLine(Inv($"- LibTorch threads per scenario: {run.Threads}; {run.Warmup} warm-up + {run.Repetitions} timed repetitions per figure"));
        md.AppendLine(Inv($"- Load average (1/5/15 min) at start {Loads(run.LoadAverageAtStart)}, at end {Loads(run.LoadAverageAtEnd)}"));
        md.AppendLine(Inv($"- Commit: {run.GitCommit ?? "unknown"}; wall time {run.WallSeconds:F0} s"));
        md.AppendLine();
        md.AppendLine("Conventions:");
        md.AppendLine();
        foreach (var c in run.Conventions)
        {
            md.AppendLine("- " + c);
        }

        foreach (var device in new[] { "cpu", "cuda" })
        {
            if (!run.Scenarios.Any(s => s.Device == device))
            {
                continue;
            }

            md.AppendLine();
            md.AppendLine(device == "cpu" ? "## CPU" : "## CUDA (reported separately)");
            Ceiling(md, run, device);
            Throughput(md, run, device);
            Generation(md, run, device);
            Checkpoints(md, run, device);
        }

        if (run.CudaSkipped is { } reason)
        {
            md.AppendLine();
            md.AppendLine("## CUDA");
            md.AppendLine();
            md.AppendLine("Skipped: " + reason);
        }

        Problems(md, run);
        return md.ToString();
    }

    private static void Ceiling(StringBuilder md, RunResults run, string device)
    {
        md.AppendLine();
        md.AppendLine("### Matmul ceiling");
        md.AppendLine();
        md.AppendLine("| product | GFLOP/s at start | at end |");
        md.AppendLine("| --- | ---: | ---: |");
        var start = run.Ok("ceiling", device);
        var end = run.Ok("ceiling-end", device);
        foreach (var key in (start?.Measurements.Keys ?? Enumerable.Empty<string>()).Union(end?.Measurements.Keys ?? Enumerable.Empty<string>()))
        {
            md.AppendLine(Inv($"| {key.Replace("_gflops", string.Empty, StringComparison.Ordinal)} | {S(start?.Get(key), "F1")} | {S(end?.Get(key), "F1")} |"));
        }
    }

    private static void Throughput(StringBuilder md, RunResults run, string device)
    {
        var rows = run.Scenarios.Where(s => s.Device == device && s.Status == "ok" && s.Get("tokens_per_second") is not null).ToList();
        if (rows.Count == 0)
        {
            return;
        }

        md.AppendLine();
        md.AppendLine("### Forward and training throughput");
        md.AppendLine();
        md.AppendLine("Median (min–max) of the timed repetitions; `load` is the 1-minute load average when the scenario started.");
        md.AppendLine();
        md.AppendLine("| scenario | tokens/s | step ms | GFLOP/s | of ceiling | peak RSS | load | relative |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var r in rows)
        {
            var fraction = r.Get("fraction_of_ceiling");
            var fractionText = fraction is null ? "–" : Inv($"{fraction.Median:P0} ({fraction.Min:P0}–{fraction.Max:P0})");
            md.AppendLine(Inv($"| {r.Name} | {S(r.Get("tokens_per_second"), "F0")} | {S(r.Get("step_ms"), "F0")} | {S(r.Get("gflops"), "F1")} | {fractionText} | {Mib(r.PeakRssBytes)} | {r.LoadAverageAtStart:F1} | {Relative(r)} |"));
        }

        var bpp = rows.Select(r => r.Value("nf4_base_bytes_per_parameter")).FirstOrDefault(v => v is not null)
                  ?? run.Ok("load-nf4", device)?.Value("nf4_base_bytes_per_parameter");
        if (bpp is { } b)
        {
            md.AppendLine();
            md.AppendLine(Inv($"NF4 + double quant base weights: {b:F4} bytes per quantized parameter ({b * 8:F3} bits)."));
        }
    }

    private static string Relative(ScenarioResult r)
    {
        var parts = new List<string>();
        void Add(string key, string label)
        {
            if (r.Value(key) is { } v)
            {
                parts.Add(Inv($"{label} {v:F2}×"));
            }
        }

        Add("step_vs_frozen_no_adapter", "step vs frozen fwd+bwd (LoRA overhead)");
        Add("step_vs_lora", "step vs LoRA");
        Add("step_vs_sft", "step vs LoRA SFT");
        Add("peak_rss_vs_lora", "peak RSS vs LoRA");
        return parts.Count == 0 ? string.Empty : string.Join("; ", parts);
    }

    private static void Generation(StringBuilder md, RunResults run, string device)
    {
        var rows = run.Scenarios.Where(s => s.Device == device && s.Status == "ok" && s.Get("generate_tokens_per_second") is not null).ToList();
        if (rows.Count == 0)
        {
            return;
        }

        md.AppendLine();
        md.AppendLine("### Generation (batch 1, greedy, KV cache)");
        md.AppendLine();
        var contexts = GenerationScenarios.Contexts;
        md.AppendLine("| scenario | tokens/s (32 + 64 new) | first token ms | decode ms/token | " + string.Join(" | ", contexts.Select(c => $"ms/token @ {c}")) + " | peak RSS |");
        md.AppendLine("| --- | ---: | ---: | ---: | " + string.Join(" | ", contexts.Select(_ => "---:")) + " | ---: |");
        foreach (var r in rows)
        {
            var atContext = string.Join(" | ", contexts.Select(c => S(r.Get($"ms_per_token_ctx{c}"), "F1")));
            md.AppendLine(Inv($"| {r.Name} | {S(r.Get("generate_tokens_per_second"), "F1")} | {S(r.Get("time_to_first_token_ms"), "F0")} | {S(r.Get("decode_ms_per_token"), "F1")} | {atContext} | {Mib(r.PeakRssBytes)} |"));
        }
    }

    private static void Checkpoints(StringBuilder md, RunResults run, string device)
    {
        var rows = new List<string>();
        void Row(string label, ScenarioResult? r, string key)
        {
            if (r?.Get($"{key}_gb_per_second") is { } rate)
            {
                var bytes = r.Value("tensor_bytes") ?? r.Value("file_bytes") ?? 0;
                var first = r.Value("peak_rss_first_load_bytes") is { } f ? Mib((long)f) : "–";
                rows.Add(Inv($"| {label} | {bytes / 1e9:F3} | {S(r.Get($"{key}_seconds"), "F2")} | {S(rate, "F2")} | {first} | {Mib(r.PeakRssBytes)} |"));
            }
        }

        Row("load-fp32: CausalLM.FromPretrained", run.Ok("load-fp32", device), "load");
        Row("load-nf4: QuantizedModel.FromPretrained, NF4 + double quant", run.Ok("load-nf4", device), "load");
        var raw = run.Ok("read-raw", device);
        Row("read-raw: SafetensorsFile.ReadInto, every tensor", raw, "read");
        Row("read-raw: plain memory copy, same size (1 thread)", raw, "memcpy");
        Row("read-raw: LibTorch copy_, same size (all threads)", raw, "torch_copy");
        if (rows.Count == 0)
        {
            return;
        }

        md.AppendLine();
        md.AppendLine("### Checkpoint loading (page cache warm)");
        md.AppendLine();
        md.AppendLine("Peak RSS after the first load (one load in a fresh process) and over the whole scenario (all loads); both count the mapped file's pages.");
        md.AppendLine();
        md.AppendLine("| what | GB | seconds | GB/s | peak RSS, first load | peak RSS, scenario |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        rows.ForEach(r => md.AppendLine(r));
        if (run.Ok("prepare-load") is { } prepare && prepare.Value("write_gb_per_second") is { } write)
        {
            md.AppendLine();
            md.AppendLine(Inv($"Writing that checkpoint (SavePretrained, once, not repeated): {prepare.Value("file_bytes") / 1e9:F3} GB at {write:F2} GB/s."));
        }
    }

    private static void Problems(StringBuilder md, RunResults run)
    {
        var bad = run.Scenarios.Where(s => s.Status != "ok").ToList();
        md.AppendLine();
        md.AppendLine("## Failed, timed-out and skipped scenarios");
        md.AppendLine();
        if (bad.Count == 0)
        {
            md.AppendLine("None.");
            return;
        }

        foreach (var s in bad)
        {
            md.AppendLine(Inv($"- `{s.Name}` ({s.Device}): **{s.Status}**: {s.Reason}{(s.Log is null ? string.Empty : $" (log: `{s.Log}`)")}"));
        }
    }

    private static string S(Sample? s, string format) => s is null
        ? "–"
        : string.Create(CultureInfo.InvariantCulture, $"{s.Median.ToString(format, CultureInfo.InvariantCulture)} ({s.Min.ToString(format, CultureInfo.InvariantCulture)}–{s.Max.ToString(format, CultureInfo.InvariantCulture)})");

    private static string Mib(long? bytes) => bytes is { } b ? Inv($"{b / 1048576.0:F0} MiB") : "–";

    private static string Loads(double[]? loads) => loads is null ? "unknown" : string.Join(" / ", loads.Select(l => l.ToString("F1", CultureInfo.InvariantCulture)));

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
