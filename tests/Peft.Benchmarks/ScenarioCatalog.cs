namespace Peft.Benchmarks;

/// <summary>Every scenario, in the order they run.</summary>
internal static class ScenarioCatalog
{
    /// <summary>All scenarios (quick and full).</summary>
    public static IReadOnlyList<ScenarioSpec> All { get; } = Build();

    /// <summary>The scenario of a name, or null.</summary>
    public static ScenarioSpec? Find(string name) => All.FirstOrDefault(s => s.Name == name);

    /// <summary>The scenarios of a run: by mode, then filtered by name prefixes with their dependencies added back.</summary>
    public static IReadOnlyList<ScenarioSpec> Plan(bool quick, IReadOnlyList<string> only)
    {
        var mode = All.Where(s => quick ? s.InQuick : s.InFull).ToList();
        if (only.Count == 0)
        {
            return mode;
        }

        var chosen = new HashSet<string>(mode.Where(s => only.Any(p => s.Name.StartsWith(p, StringComparison.Ordinal))).Select(s => s.Name), StringComparer.Ordinal);
        if (chosen.Count == 0)
        {
            throw new ArgumentException($"--only {string.Join(",", only)} matches no scenario of this mode; run with --list to see them.");
        }

        foreach (var spec in mode.Where(s => chosen.Contains(s.Name)).ToList())
        {
            chosen.UnionWith(spec.DependsOn);
        }

        return mode.Where(s => chosen.Contains(s.Name)).ToList();
    }

    private static List<ScenarioSpec> Build()
    {
        var list = new List<ScenarioSpec>
        {
            new("ceiling", "machine", "Matmul ceiling (fp32, bf16; 2048² and the models' MLP shapes)", null, MatmulScenarios.Ceiling, 240),
            new("prepare-tiny", "prepare", "Write the tiny model as a float32 checkpoint (for QLoRA's quantize-on-load)", "tiny", CheckpointScenarios.Prepare, 180)
                { OnCuda = false },
            new("prepare-smol135m", "prepare", "Write the smol135m model as a float32 checkpoint", "smol135m", CheckpointScenarios.Prepare, 300)
                { OnCuda = false, InQuick = false },
            new("prepare-load", "prepare", "Write the checkpoint-loading model (~1 GB float32; 0.36 GB in quick mode)", "load", CheckpointScenarios.Prepare, 420)
                { OnCuda = false, QuickTimeoutSeconds = 120 },
        };

        foreach (var shape in new[] { "tiny", "smol135m" })
        {
            var large = shape != "tiny";
            var timeout = large ? 600 : 180;
            list.Add(new($"forward-{shape}", "throughput", "Forward (inference, no grad)", shape, ThroughputScenarios.Forward, timeout) { InQuick = !large });
            list.Add(new($"frozen-{shape}", "throughput", "Frozen forward+backward, no adapter (LoRA-overhead baseline)", shape, ThroughputScenarios.FrozenBackward, timeout)
                { InQuick = !large });
            list.Add(new($"lora-{shape}", "throughput", "LoRA SFT training step (Trainer)", shape, c => ThroughputScenarios.Sft(c, quantized: false, checkpointing: false), timeout)
                { InQuick = !large });
            list.Add(new($"lora-gc-{shape}", "throughput", "LoRA SFT with activation checkpointing", shape, c => ThroughputScenarios.Sft(c, quantized: false, checkpointing: true), timeout)
                { InQuick = !large });
            list.Add(new($"qlora-{shape}", "throughput", "QLoRA SFT (NF4 + double quant, quantized on load)", shape, c => ThroughputScenarios.Sft(c, quantized: true, checkpointing: false), timeout)
                { InQuick = !large, DependsOn = new[] { $"prepare-{shape}" } });
            list.Add(new($"dpo-{shape}", "throughput", "DPO step with LoRA (reference = adapters disabled)", shape, ThroughputScenarios.Dpo, timeout) { InQuick = !large });
        }

        list.Add(new("generate-tiny", "generation", "Greedy generation with the KV cache", "tiny", GenerationScenarios.Generate, 180) { InFull = false });
        list.Add(new("generate-smol135m", "generation", "Greedy generation with the KV cache", "smol135m", GenerationScenarios.Generate, 480) { InQuick = false });
        list.Add(new("load-fp32", "checkpoint", "CausalLM.FromPretrained of the float32 checkpoint", "load", CheckpointScenarios.LoadDense, 300)
            { DependsOn = new[] { "prepare-load" }, QuickTimeoutSeconds = 120 });
        list.Add(new("load-nf4", "checkpoint", "QuantizedModel.FromPretrained with NF4 + double quant (quantize on load)", "load", CheckpointScenarios.LoadNf4, 600)
            { DependsOn = new[] { "prepare-load" }, QuickTimeoutSeconds = 150 });
        list.Add(new("read-raw", "checkpoint", "Raw safetensors read (SafetensorsFile.ReadInto) vs a plain memory copy of the same size", "load", CheckpointScenarios.ReadRaw, 300)
            { DependsOn = new[] { "prepare-load" }, OnCuda = false, QuickTimeoutSeconds = 120 });
        list.Add(new("ceiling-end", "machine", "Matmul ceiling again at the end (drift check)", null, MatmulScenarios.Ceiling, 240));
        return list;
    }
}
