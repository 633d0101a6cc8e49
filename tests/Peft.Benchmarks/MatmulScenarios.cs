using static TorchSharp.torch;

namespace Peft.Benchmarks;

/// <summary>The machine's matrix-multiply ceiling, measured with LibTorch in the same run as everything else.</summary>
internal static class MatmulScenarios
{
    /// <summary>
    /// GFLOP/s (2·m·k·n per product) of a 2048³ product in float32 and bfloat16, and of the models' own MLP
    /// shapes ([batch·seq, hidden] × [hidden, intermediate]) in the compute dtype. The 2048³ float32 figure
    /// (bfloat16 on CUDA) is the ceiling every throughput figure is compared with.
    /// </summary>
    public static void Ceiling(ScenarioContext ctx)
    {
        var fp32 = Product(ctx, "matmul_fp32_2048", 2048, 2048, 2048, ScalarType.Float32, ctx.Options.Quick ? 5 : 9);
        var bf16 = Product(ctx, "matmul_bf16_2048", 2048, 2048, 2048, ScalarType.BFloat16, ctx.Options.Quick ? 3 : 5);
        var compute = ctx.IsCuda ? ScalarType.BFloat16 : ScalarType.Float32;
        var shapes = ctx.Options.Quick ? new[] { Shapes.Tiny } : new[] { Shapes.Tiny, Shapes.Smol135M };
        foreach (var shape in shapes)
        {
            Product(ctx, $"matmul_{(compute == ScalarType.Float32 ? "fp32" : "bf16")}_{shape.Name}_mlp", shape.TokensPerBatch, shape.Config.HiddenSize,
                shape.Config.IntermediateSize, compute, ctx.Options.Quick ? 5 : 9);
        }

        var ceiling = ctx.IsCuda ? bf16 : fp32;
        ctx.Value("ceiling_gflops", ceiling.Median);
        ctx.Info("ceiling", ctx.IsCuda ? "bf16 2048³ matmul" : "fp32 2048³ matmul");
        ctx.Info("flop_convention", "2·m·k·n floating-point operations per [m,k]×[k,n] product");
    }

    private static Sample Product(ScenarioContext ctx, string key, long m, long k, long n, ScalarType dtype, int repetitions)
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        var a = randn(new[] { m, k }, dtype: dtype, device: ctx.Device);
        var b = randn(new[] { k, n }, dtype: dtype, device: ctx.Device);
        var seconds = ctx.Time(() =>
        {
            using var c = a.matmul(b);
        }, warmup: 2, repetitions: repetitions);
        var flops = 2.0 * m * k * n;
        var sample = ctx.Measure(key + "_gflops", Sample.Of("s", seconds).Map("GFLOP/s", s => flops / s / 1e9));
        ScenarioContext.Log($"{key}: [{m}×{k}]×[{k}×{n}] {dtype}: median {sample.Median:F1} GFLOP/s (min {sample.Min:F1}, max {sample.Max:F1})");
        return sample;
    }
}
