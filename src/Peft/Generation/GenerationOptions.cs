using Peft.Models;

namespace Peft.Generation;

/// <summary>
/// Decoding settings, named after transformers' <c>GenerationConfig</c>. Greedy by default; sampling applies
/// the repetition penalty, then temperature, then top-k, then top-p (the order transformers uses) before
/// drawing from the softmax with a seeded generator.
/// </summary>
public sealed record GenerationOptions
{
    /// <summary>Most tokens to generate per sequence (<c>max_new_tokens</c>).</summary>
    public int MaxNewTokens { get; init; } = 128;

    /// <summary>Sample instead of taking the most likely token (<c>do_sample</c>).</summary>
    public bool DoSample { get; init; }

    /// <summary>Divides the logits before sampling; values at or below 1e-5 mean greedy.</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Keep only the k most likely tokens when sampling; 0 disables.</summary>
    public int TopK { get; init; }

    /// <summary>Keep the smallest set of most likely tokens whose probability reaches p; 1 disables.</summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>transformers' repetition penalty: logits of tokens already present are divided (if positive) or multiplied (if negative) by it; 1 disables.</summary>
    public double RepetitionPenalty { get; init; } = 1.0;

    /// <summary>Token ids that end a sequence; null uses the model's <c>eos_token_id</c>s (generation_config.json, then config.json).</summary>
    public IReadOnlyList<long>? StopTokenIds { get; init; }

    /// <summary>Strings that end a sequence once the decoded text contains one (text generation only).</summary>
    public IReadOnlyList<string> StopStrings { get; init; } = Array.Empty<string>();

    /// <summary>Whether returned text keeps the stop string that ended it (transformers keeps it; the default cuts it off).</summary>
    public bool IncludeStopString { get; init; }

    /// <summary>Seed of the sampling generator; the same seed, model and prompt give the same tokens. Null picks a random seed.</summary>
    public long? Seed { get; init; }

    /// <summary>Token used to left-pad batched prompts (masked out); null uses the model's pad id, else its first EOS id, else 0.</summary>
    public long? PadTokenId { get; init; }

    /// <summary>Options starting from a model's <c>generation_config.json</c> defaults.</summary>
    public static GenerationOptions FromGenerationConfig(GenerationConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new GenerationOptions
        {
            MaxNewTokens = config.MaxNewTokens ?? 128,
            DoSample = config.DoSample ?? false,
            Temperature = config.Temperature ?? 1.0,
            TopK = config.TopK ?? 0,
            TopP = config.TopP ?? 1.0,
            RepetitionPenalty = config.RepetitionPenalty ?? 1.0,
        };
    }

    /// <summary>True when tokens are drawn at random (sampling on and a non-zero temperature).</summary>
    public bool IsSampling => DoSample && Temperature > 1e-5;

    /// <summary>Checks every setting, naming the first one out of range.</summary>
    /// <exception cref="ArgumentException">A setting is out of range (negative token count or temperature, top-k below 0, top-p outside (0, 1], a non-positive repetition penalty, an empty stop string).</exception>
    public void Validate()
    {
        if (MaxNewTokens < 0)
        {
            throw new ArgumentException($"MaxNewTokens must be at least 0; found {MaxNewTokens}.");
        }

        if (Temperature < 0 || double.IsNaN(Temperature))
        {
            throw new ArgumentException($"Temperature must be non-negative; found {Temperature}.");
        }

        if (TopK < 0)
        {
            throw new ArgumentException($"TopK must be at least 0; found {TopK}.");
        }

        if (!(TopP > 0 && TopP <= 1))
        {
            throw new ArgumentException($"TopP must be in (0, 1]; found {TopP}.");
        }

        if (!(RepetitionPenalty > 0))
        {
            throw new ArgumentException($"RepetitionPenalty must be positive; found {RepetitionPenalty}.");
        }

        if (StopStrings.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("Stop strings must not be empty.");
        }
    }
}
