using System.Diagnostics;
using Peft.Adapters;
using Peft.Data;
using Peft.Models;
using Peft.Quantization;
using Peft.Training;
using static TorchSharp.torch;

namespace Peft.Benchmarks;

/// <summary>
/// Forward and training throughput. Training runs through the library's own <see cref="Trainer{TBatch}"/> (the
/// loop <c>peft train</c>, <see cref="SftTrainer"/> and <see cref="PreferenceTrainer"/> use), one optimizer step
/// per repetition, timed between the trainer's per-step progress reports.
/// </summary>
internal static class ThroughputScenarios
{
    /// <summary>The adapter every training scenario trains: r = 16, α = 32 on all seven projections.</summary>
    public static LoraConfig Lora { get; } = new() { R = 16, LoraAlpha = 32, TargetModulesRegex = LoraConfig.AllLinear };

    /// <summary>Inference forward of one batch (no gradient), logits for every position.</summary>
    public static void Forward(ScenarioContext ctx)
    {
        var shape = ctx.Shape;
        using var model = CausalLM.Create(shape.Config, ctx.LoadOptions, seed: 1);
        using var batch = new SyntheticSftData(shape, seed: 3).TrainBatch(0, 0);
        using var ids = batch.InputIds.to(ctx.Device);
        using var guard = no_grad();
        var seconds = ctx.Time(() =>
        {
            using var scope = NewDisposeScope();
            using var output = model.Forward(ids);
        });
        Record(ctx, seconds, shape.TokensPerBatch, 2, "2·N per token (forward)");
    }

    /// <summary>
    /// Forward and backward of the SFT loss through the frozen base with no adapter: the work LoRA adds to is this
    /// plus its own small products. Only the first layer's input norm weight requires a gradient, so the backward
    /// computes input gradients through every layer, as it must for adapters, and no weight gradients.
    /// </summary>
    public static void FrozenBackward(ScenarioContext ctx)
    {
        var shape = ctx.Shape;
        using var model = CausalLM.Create(shape.Config, ctx.LoadOptions, seed: 1);
        var anchor = model.named_parameters().Single(p => p.name == "model.layers.0.input_layernorm.weight").parameter;
        anchor.requires_grad = true;
        model.train();
        var objective = new SftObjective(model);
        var data = new SyntheticSftData(shape, seed: 3);
        var index = 0;
        var losses = new List<double>();
        var seconds = ctx.Time(() =>
        {
            using var batch = data.TrainBatch(0, index++);
            using var scope = NewDisposeScope();
            var result = objective.Compute(batch, training: true);
            (result.LossSum / batch.Weight).backward();
            losses.Add(result.LossSum.item<float>() / batch.Weight);
            anchor.grad?.zero_();
        });
        ctx.Value("loss_last", CheckFinite(losses[^1]));
        Record(ctx, seconds, shape.TokensPerBatch, 4, "4·N per token (forward 2·N + input-gradient backward 2·N; no weight gradients)");
    }

    /// <summary>LoRA (or QLoRA: NF4 + double quant, quantized as the checkpoint loads) SFT steps through the trainer.</summary>
    public static void Sft(ScenarioContext ctx, bool quantized, bool checkpointing)
    {
        var shape = ctx.Shape;
        var model = quantized
            ? QuantizedModel.FromPretrained(ctx.CheckpointFolder(shape.Name),
                QuantizationConfig.Nf4(doubleQuant: true, computeDtype: ctx.IsCuda ? ScalarType.BFloat16 : null), ctx.LoadOptions)
            : CausalLM.Create(shape.Config, ctx.LoadOptions, seed: 1);
        if (quantized)
        {
            var report = ModelMemoryReport.Create(model);
            ctx.Value("nf4_base_bytes_per_parameter", report.QuantizedBytesPerParameter);
            ctx.Value("quantized_parameters", report.QuantizedParameters);
            ctx.Value("model_bytes", report.TotalBytes);
        }

        using var peft = PeftModel.Create(model, Lora);
        var training = new AdapterTraining(peft);
        ctx.Info("trainable", peft.TrainableParametersSummary());
        var trainer = new Trainer<SftBatch>(training, new SftObjective(model), new SyntheticSftData(shape, seed: 3), Options(ctx, checkpointing));
        var seconds = TimeSteps(ctx, trainer.Run, h => trainer.ProgressChanged += h);
        Record(ctx, seconds, shape.TokensPerBatch, 4,
            "4·N per trained token (forward 2·N + input-gradient backward 2·N); LoRA's own products, the recomputation of activation "
            + "checkpointing and NF4 dequantization are not counted");
    }

    /// <summary>DPO steps with LoRA: one concatenated policy forward of chosen and rejected rows plus a reference forward with adapters disabled.</summary>
    public static void Dpo(ScenarioContext ctx)
    {
        var shape = ctx.Shape;
        var model = CausalLM.Create(shape.Config, ctx.LoadOptions, seed: 1);
        using var peft = PeftModel.Create(model, Lora);
        var training = new AdapterTraining(peft);
        var data = new SyntheticPreferenceData(shape, seed: 3);
        ctx.Info("batch", $"{data.Pairs} pairs × 2 rows × {shape.SequenceLength} tokens (same token count as the SFT batch); reference computed on the fly");
        var objective = new DpoObjective(model, new DpoOptions(), training.ReferenceScope);
        var trainer = new Trainer<PreferenceBatch>(training, objective, data, Options(ctx, checkpointing: false));
        var seconds = TimeSteps(ctx, trainer.Run, h => trainer.ProgressChanged += h);
        Record(ctx, seconds, shape.TokensPerBatch, 6, "6·N per token (policy forward + backward 4·N, reference forward 2·N)");
    }

    private static TrainingOptions Options(ScenarioContext ctx, bool checkpointing) => new()
    {
        OutputDirectory = ctx.Scratch("trainer"),
        MaxSteps = ctx.Options.Warmup + ctx.Options.Repetitions,
        BatchSize = ctx.Shape.BatchSize,
        LearningRate = 1e-4,
        LoggingSteps = 1,
        TensorBoard = false,
        GradientCheckpointing = checkpointing,
        Seed = 1,
    };

    /// <summary>
    /// Runs the trainer and returns the duration of each optimizer step after the warm-up ones, taken between
    /// consecutive per-step progress reports (so each includes building the batch, the step and the metrics line).
    /// </summary>
    private static double[] TimeSteps(ScenarioContext ctx, Func<string?, CancellationToken, TrainingResult> run, Action<EventHandler<TrainingProgress>> subscribe)
    {
        var clock = new Stopwatch();
        var stamps = new List<double>();
        var losses = new List<double>();
        subscribe((_, p) =>
        {
            if (p.Kind == "train")
            {
                ctx.Sync();
                stamps.Add(clock.Elapsed.TotalSeconds);
                losses.Add(p.Loss);
                ScenarioContext.Log($"step {p.Step}/{p.TotalSteps}: loss {p.Loss:F4}, {p.TokensPerSecond:F1} tokens/s");
            }
        });
        clock.Start();
        var result = run(null, CancellationToken.None);
        if (stamps.Count != result.Steps)
        {
            throw new InvalidOperationException($"Expected one progress report per step; got {stamps.Count} for {result.Steps} steps.");
        }

        ctx.Value("loss_first", CheckFinite(losses[0]));
        ctx.Value("loss_last", CheckFinite(losses[^1]));
        return stamps.Select((t, i) => t - (i == 0 ? 0 : stamps[i - 1])).Skip(ctx.Options.Warmup).ToArray();
    }

    private static void Record(ScenarioContext ctx, double[] seconds, int tokens, int flopsPerParameter, string convention)
    {
        var shape = ctx.Shape;
        var step = ctx.Measure("step_ms", Sample.Of("s", seconds).Map("ms", s => s * 1000));
        var rate = ctx.Measure("tokens_per_second", Sample.Of("s", seconds).Map("tokens/s", s => tokens / s));
        ctx.Value("tokens_per_step", tokens);
        ctx.Value("matmul_parameters", shape.MatmulParameters);
        ctx.Value("flops_per_token", (double)flopsPerParameter * shape.MatmulParameters);
        ctx.Info("flop_convention", convention + "; N = matmul parameters (projections + LM head; no embedding lookup, norms or attention scores)");
        ctx.Info("shape", shape.Describe());
        ScenarioContext.Log($"{ctx.Spec.Name}: {rate.Median:F1} tokens/s (min {rate.Min:F1}, max {rate.Max:F1}); step {step.Median:F0} ms");
    }

    private static double CheckFinite(double loss) => double.IsFinite(loss)
        ? loss
        : throw new InvalidOperationException($"The loss is {loss}: the benchmark ran, but the numbers would not be from a working step.");
}
