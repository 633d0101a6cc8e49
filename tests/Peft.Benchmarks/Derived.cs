namespace Peft.Benchmarks;

/// <summary>Figures computed across scenarios after the run: GFLOP/s, fractions of the ceiling, and ratios.</summary>
internal static class Derived
{
    public static readonly string[] Conventions =
    {
        "Ceiling: the median GFLOP/s of a 2048×2048×2048 float32 matmul (bfloat16 on CUDA), 2·m·k·n FLOPs per product, measured at the start and the end of the same run; fractions use the higher of the two.",
        "N = parameters that take part in a matrix multiply per token: all projections of all layers plus the LM head (the tied embedding when tied); "
        + "the embedding lookup, norms and attention-score products (QKᵀ, AV) are not counted.",
        "Forward: 2·N FLOPs per token. Frozen-base training (LoRA, QLoRA, frozen forward+backward): 4·N per trained token "
        + "(forward + input-gradient backward, no weight gradients); LoRA's own products, checkpointing's recomputation and NF4 dequantization are overhead, not FLOPs. "
        + "DPO: 6·N per token (policy forward + backward, reference forward).",
        "Each figure: median of the timed repetitions after untimed warm-up ones, with min and max; training repetitions are optimizer steps.",
        "Peak RSS: VmHWM of the scenario's own process (includes the .NET runtime and LibTorch, about the baseline RSS, and file pages mapped while loading).",
    };

    /// <summary>Adds GFLOP/s, fractions of the ceiling and cross-scenario ratios to the results.</summary>
    public static void Apply(RunResults run)
    {
        foreach (var device in run.Scenarios.Select(s => s.Device).Distinct().ToList())
        {
            // The ceiling is the better of the start and end measurements: a matmul can only be slowed down by
            // other load, never sped up, so the higher one is closer to what the machine can do.
            var startCeiling = run.Ok("ceiling", device)?.Value("ceiling_gflops");
            var endCeiling = run.Ok("ceiling-end", device)?.Value("ceiling_gflops");
            var ceiling = startCeiling is { } a && endCeiling is { } b ? Math.Max(a, b) : startCeiling ?? endCeiling;
            foreach (var result in run.Scenarios.Where(s => s.Device == device && s.Status == "ok"))
            {
                if (result.Get("tokens_per_second") is { } rate && result.Value("flops_per_token") is { } flops)
                {
                    var gflops = rate.Map("GFLOP/s", r => r * flops / 1e9);
                    result.Measurements["gflops"] = gflops;
                    if (ceiling is { } c)
                    {
                        result.Measurements["fraction_of_ceiling"] = gflops.Map("fraction", g => g / c);
                    }
                }
            }

            if (run.Ok("ceiling-end", device) is { } end && startCeiling is { } start && endCeiling is { } last)
            {
                end.Values["ceiling_vs_start"] = last / start;
            }

            foreach (var shape in new[] { "tiny", "smol135m" })
            {
                var lora = run.Ok($"lora-{shape}", device);
                Ratio(run.Ok($"lora-{shape}", device), run.Ok($"frozen-{shape}", device), "step_vs_frozen_no_adapter");
                Ratio(run.Ok($"lora-gc-{shape}", device), lora, "step_vs_lora");
                Ratio(run.Ok($"qlora-{shape}", device), lora, "step_vs_lora");
                Ratio(run.Ok($"dpo-{shape}", device), lora, "step_vs_sft");
                MemoryRatio(run.Ok($"lora-gc-{shape}", device), lora);
                MemoryRatio(run.Ok($"qlora-{shape}", device), lora);
            }
        }
    }

    private static void Ratio(ScenarioResult? numerator, ScenarioResult? denominator, string key)
    {
        if (numerator?.Get("step_ms") is { } a && denominator?.Get("step_ms") is { } b && b.Median > 0)
        {
            numerator.Values[key] = a.Median / b.Median;
        }
    }

    private static void MemoryRatio(ScenarioResult? scenario, ScenarioResult? lora)
    {
        if (scenario?.PeakRssBytes is { } a && lora?.PeakRssBytes is { } b && b > 0)
        {
            scenario.Values["peak_rss_vs_lora"] = (double)a / b;
        }
    }
}
