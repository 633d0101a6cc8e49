using System.CommandLine;
using Peft.Generation;

namespace Peft.Cli.Infrastructure;

/// <summary>Decoding options shared by <c>generate</c> and <c>eval generate</c>, applied over a base <see cref="GenerationOptions"/>.</summary>
internal sealed class GenerationOptionSet
{
    public GenerationOptionSet(int defaultMaxNewTokens)
    {
        MaxNewTokens = new Option<int>("--max-new-tokens")
        {
            Description = $"Most tokens to generate (default: the model's generation_config.json, else {defaultMaxNewTokens}).",
            HelpName = "n",
        };
        DefaultMaxNewTokens = defaultMaxNewTokens;
    }

    public int DefaultMaxNewTokens { get; }

    public Option<int> MaxNewTokens { get; }

    public Option<double> Temperature { get; } = new("--temperature")
    {
        Description = "Sampling temperature; 0 decodes greedily, above 0 samples (with --top-k/--top-p). Default: greedy unless generation_config.json says to sample.",
        HelpName = "t",
    };

    public Option<int> TopK { get; } = new("--top-k") { Description = "Sample only from the k most likely tokens (0: off).", HelpName = "k" };

    public Option<double> TopP { get; } = new("--top-p") { Description = "Sample from the smallest set of tokens whose probability reaches p (1: off).", HelpName = "p" };

    public Option<double> RepetitionPenalty { get; } = new("--repetition-penalty")
    {
        Description = "transformers' repetition penalty (1: off; 1.1–1.3 discourages repeats).",
        HelpName = "x",
    };

    public Option<long?> Seed { get; } = new("--seed") { Description = "Seed of the sampler (same seed, same text).", HelpName = "n" };

    public Option<string[]> Stop { get; } = new("--stop")
    {
        Description = "Stop when the text contains this string (repeatable).",
        HelpName = "text",
        AllowMultipleArgumentsPerToken = false,
    };

    public IEnumerable<Option> All => [MaxNewTokens, Temperature, TopK, TopP, RepetitionPenalty, Seed, Stop];

    /// <summary>The options given on the command line applied over <paramref name="baseline"/>, validated.</summary>
    /// <exception cref="UsageException">A value is out of range.</exception>
    public GenerationOptions Build(CliContext context, GenerationOptions baseline)
    {
        var options = baseline;
        if (context.Given(MaxNewTokens))
        {
            options = options with { MaxNewTokens = context.Get(MaxNewTokens) };
        }

        if (context.Given(Temperature))
        {
            var t = context.Get(Temperature);
            options = options with { DoSample = t > 0, Temperature = t > 0 ? t : 1.0 };
        }

        if (context.Given(TopK))
        {
            options = options with { TopK = context.Get(TopK) };
        }

        if (context.Given(TopP))
        {
            options = options with { TopP = context.Get(TopP) };
        }

        if (context.Given(RepetitionPenalty))
        {
            options = options with { RepetitionPenalty = context.Get(RepetitionPenalty) };
        }

        if (context.Given(Seed))
        {
            options = options with { Seed = context.Get(Seed) };
        }

        if (context.Get(Stop) is { Length: > 0 } stops)
        {
            options = options with { StopStrings = stops };
        }

        try
        {
            options.Validate();
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message, ex);
        }

        return options;
    }
}
