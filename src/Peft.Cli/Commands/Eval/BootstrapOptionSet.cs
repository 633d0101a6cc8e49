using System.CommandLine;
using Peft.Cli.Infrastructure;
using Peft.Evaluation.Rouge;

namespace Peft.Cli.Commands.Eval;

/// <summary><c>--bootstrap</c>, <c>--bootstrap-seed</c>, <c>--resamples</c>: rouge_score's bootstrap interval.</summary>
internal sealed class BootstrapOptionSet
{
    private BootstrapOptionSet()
    {
    }

    public Option<bool> Enabled { get; } = new("--bootstrap") { Description = "Also report rouge_score's bootstrap interval (2.5/50/97.5 percentiles of F1)." };

    public Option<uint> Seed { get; } = new("--bootstrap-seed") { Description = "Seed of the bootstrap (NumPy-compatible).", HelpName = "n" };

    public Option<int> Resamples { get; } = new("--resamples") { Description = "Bootstrap resamples.", DefaultValueFactory = _ => 1000, HelpName = "n" };

    public static BootstrapOptionSet Create() => new();

    public BootstrapOptions? Build(CliContext context)
    {
        if (!context.Get(Enabled))
        {
            return context.Given(Seed) || context.Given(Resamples)
                ? throw new UsageException("--bootstrap-seed and --resamples need --bootstrap.")
                : null;
        }

        var resamples = context.Get(Resamples);
        return resamples >= 1
            ? new BootstrapOptions { Seed = context.Get(Seed), Resamples = resamples }
            : throw new UsageException($"--resamples must be at least 1; found {resamples}.");
    }
}
