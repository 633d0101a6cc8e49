using Peft.Evaluation.Rouge;
using Peft.Generation;

namespace Peft.Evaluation;

/// <summary>What an <see cref="EvaluationReport"/> was made with, so a reader can reproduce or compare it.</summary>
public sealed record EvaluationSettings
{
    /// <summary>The model's name or path (from <see cref="EvaluationOptions.ModelName"/>), or null.</summary>
    public string? Model { get; init; }

    /// <summary>The adapter's name or path (from <see cref="EvaluationOptions.AdapterName"/>), or null for the base model.</summary>
    public string? Adapter { get; init; }

    /// <summary>The dataset's file or name.</summary>
    public required string Dataset { get; init; }

    /// <summary>The device the model ran on (<c>cpu</c>, <c>cuda:0</c>, …).</summary>
    public required string Device { get; init; }

    /// <summary>When the evaluation finished (UTC).</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The version of this library.</summary>
    public string? PeftVersion { get; init; }

    /// <summary>The decoding settings.</summary>
    public required GenerationOptions Generation { get; init; }

    /// <summary>Prompts generated per batch.</summary>
    public int BatchSize { get; init; }

    /// <summary>Whether the tokenizer added special tokens to the prompts.</summary>
    public bool AddSpecialTokens { get; init; }

    /// <summary>The ROUGE settings.</summary>
    public required RougeOptions Rouge { get; init; }

    /// <summary>The bootstrap settings, or null when no interval was computed.</summary>
    public BootstrapOptions? Bootstrap { get; init; }

    /// <summary>The perplexity settings, or null when the reference perplexity was not computed.</summary>
    public PerplexityOptions? Perplexity { get; init; }
}
