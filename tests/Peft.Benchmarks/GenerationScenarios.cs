using System.Diagnostics;
using Peft.Generation;
using Peft.Models;

namespace Peft.Benchmarks;

/// <summary>Token-level greedy decoding with the KV cache (<see cref="TokenGenerator"/>), batch 1.</summary>
internal static class GenerationScenarios
{
    /// <summary>Prompt length of the end-to-end measurement.</summary>
    public const int PromptTokens = 32;

    /// <summary>New tokens of the end-to-end measurement.</summary>
    public const int NewTokens = 64;

    /// <summary>Context lengths at which the per-token time is measured.</summary>
    public static readonly int[] Contexts = { 32, 256, 1024 };

    /// <summary>
    /// End to end: a 32-token prompt, 64 new tokens (no stop token, so all 64 are produced), tokens/s = 64 / the
    /// whole call (prefill included), plus the time to the first token and the mean time of the other 63. Then
    /// the per-token decode time with prompts of 32, 256 and 1024 tokens.
    /// </summary>
    public static void Generate(ScenarioContext ctx)
    {
        var shape = ctx.Shape;
        using var model = CausalLM.Create(shape.Config, ctx.LoadOptions, seed: 1);
        var generator = new TokenGenerator(model);
        var options = new GenerationOptions { MaxNewTokens = NewTokens, StopTokenIds = Array.Empty<long>(), Seed = 0 };

        var runs = Repeat(ctx, () => Once(ctx, generator, Prompt(shape, PromptTokens, 11), options));
        var rate = ctx.Measure("generate_tokens_per_second", Sample.Of("tokens/s", runs.Select(r => NewTokens / r.Total).ToArray()));
        ctx.Measure("time_to_first_token_ms", Sample.Of("ms", runs.Select(r => r.First * 1000).ToArray()));
        var decode = ctx.Measure("decode_ms_per_token", Sample.Of("ms", runs.Select(r => r.PerToken * 1000).ToArray()));
        ScenarioContext.Log($"generate: {rate.Median:F1} tokens/s, decode {decode.Median:F1} ms/token");

        var decodeTokens = ctx.Options.Quick ? 8 : 16;
        var contextOptions = options with { MaxNewTokens = decodeTokens + 1 };
        foreach (var context in Contexts)
        {
            var prompt = Prompt(shape, context, 100 + context);
            var atContext = Repeat(ctx, () => Once(ctx, generator, prompt, contextOptions), warmup: 1);
            var sample = ctx.Measure($"ms_per_token_ctx{context}", Sample.Of("ms", atContext.Select(r => r.PerToken * 1000).ToArray()));
            ScenarioContext.Log($"context {context}: {sample.Median:F2} ms/token over {decodeTokens} tokens");
        }

        ctx.Info("settings", $"batch 1, greedy, prompt {PromptTokens} tokens, {NewTokens} new tokens; per-token time = mean of the "
            + $"{decodeTokens} decode steps after the first new token, with prompts of {string.Join("/", Contexts)} tokens");
        ctx.Info("shape", shape.Describe());
    }

    private static Timing[] Repeat(ScenarioContext ctx, Func<Timing> once, int? warmup = null)
    {
        for (var i = 0; i < (warmup ?? ctx.Options.Warmup); i++)
        {
            once();
        }

        return Enumerable.Range(0, ctx.Options.Repetitions).Select(_ => once()).ToArray();
    }

    private static Timing Once(ScenarioContext ctx, TokenGenerator generator, IReadOnlyList<long> prompt, GenerationOptions options)
    {
        var stamps = new List<double>();
        var clock = Stopwatch.StartNew();
        var result = generator.Generate(new[] { prompt }, options, (_, _) =>
        {
            stamps.Add(clock.Elapsed.TotalSeconds);
            return true;
        });
        ctx.Sync();
        var total = clock.Elapsed.TotalSeconds;
        if (result[0].TokenIds.Count != options.MaxNewTokens || stamps.Count != options.MaxNewTokens)
        {
            throw new InvalidOperationException($"Expected {options.MaxNewTokens} new tokens; got {result[0].TokenIds.Count} ({result[0].StopReason}).");
        }

        var perToken = (stamps[^1] - stamps[0]) / (stamps.Count - 1);
        return new Timing(total, stamps[0], perToken);
    }

    private static long[] Prompt(ModelShape shape, int length, long seed)
    {
        using var ids = SyntheticSftData.RandomIds(shape.Config.VocabSize, 1, length, seed);
        return ids.data<long>().ToArray();
    }

    /// <summary>One generate call: total seconds, seconds to the first token, mean seconds per later token.</summary>
    private sealed record Timing(double Total, double First, double PerToken);
}
