using Peft.Evaluation.Rouge;
using Peft.Generation;

namespace Peft.Evaluation;

/// <summary>Settings of <see cref="Evaluator"/>: decoding, batching, metrics, and the labels the report records.</summary>
public sealed record EvaluationOptions
{
    /// <summary>Decoding settings; default greedy with at most 128 new tokens, stopping at the model's and tokenizer's EOS ids.</summary>
    public GenerationOptions Generation { get; init; } = new();

    /// <summary>Prompts generated together (left-padded in one batch). Default 8.</summary>
    public int BatchSize { get; init; } = 8;

    /// <summary>Let the tokenizer add its special tokens (e.g. BOS) to prompts; false for prompts already rendered by a chat template. Default true.</summary>
    public bool AddSpecialTokens { get; init; } = true;

    /// <summary>ROUGE metrics and tokenizer settings.</summary>
    public RougeOptions Rouge { get; init; } = new();

    /// <summary>Also compute rouge_score's bootstrap interval with these settings; null (default) for the mean only.</summary>
    public BootstrapOptions? Bootstrap { get; init; }

    /// <summary>
    /// Also compute the perplexity of the references given their prompts (loss on the reference tokens only; every
    /// reference of an example counts). Costs one forward pass per reference window. Default false.
    /// </summary>
    public bool ComputePerplexity { get; init; }

    /// <summary>Window, stride and batch of the reference perplexity; its <see cref="PerplexityOptions.AddSpecialTokens"/> is replaced by <see cref="AddSpecialTokens"/>.</summary>
    public PerplexityOptions Perplexity { get; init; } = new();

    /// <summary>The model's name or path, as the report should show it (the model object does not know its path).</summary>
    public string? ModelName { get; init; }

    /// <summary>The adapter's name or path, as the report should show it; null for the base model.</summary>
    public string? AdapterName { get; init; }

    /// <summary>Checks every setting (batch size, and the generation and perplexity settings), naming the first one out of range.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public void Validate()
    {
        if (BatchSize < 1)
        {
            throw new ArgumentException($"EvaluationOptions.BatchSize must be at least 1; found {BatchSize}.");
        }

        ArgumentNullException.ThrowIfNull(Generation, "EvaluationOptions.Generation");
        ArgumentNullException.ThrowIfNull(Rouge, "EvaluationOptions.Rouge");
        ArgumentNullException.ThrowIfNull(Perplexity, "EvaluationOptions.Perplexity");
        Generation.Validate();
        Perplexity.Validate();
    }
}
