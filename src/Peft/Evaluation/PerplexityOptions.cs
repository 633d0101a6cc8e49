using Peft.Models;

namespace Peft.Evaluation;

/// <summary>
/// Settings of <see cref="Perplexity"/>: the context window, the stride of the sliding window over longer texts,
/// how many windows run in one forward pass, and how texts are tokenized.
/// </summary>
public sealed record PerplexityOptions
{
    /// <summary>The largest window used when <see cref="MaxLength"/> is null and the model allows more positions.</summary>
    public const int DefaultMaxLengthCap = 2048;

    /// <summary>
    /// Tokens per window (the guide's <c>max_length</c>). Null uses the model's <c>max_position_embeddings</c>, capped
    /// at <see cref="DefaultMaxLengthCap"/> (a 128k-position model would otherwise need 128k-token windows). A text of
    /// at most this many tokens is scored in one forward pass.
    /// </summary>
    public int? MaxLength { get; init; }

    /// <summary>
    /// How far each window starts after the previous one (the guide's <c>stride</c>), in [1, window]. Null uses half
    /// the window, as the guide's example (stride 512 for GPT-2's 1024). Equal to the window: disjoint chunks.
    /// </summary>
    public int? Stride { get; init; }

    /// <summary>
    /// Windows per forward pass (short texts and windows of long texts are batched together, right-padded; see
    /// <see cref="Perplexity"/>). Memory grows with batch × window × vocabulary for the logits. Default 8.
    /// </summary>
    public int BatchSize { get; init; } = 8;

    /// <summary>Let the tokenizer add its special tokens (e.g. Llama's BOS) when encoding texts and prompts. Default true.</summary>
    public bool AddSpecialTokens { get; init; } = true;

    /// <summary>
    /// Prepend the model's <c>bos_token_id</c> to every text whose encoding does not already start with it, so the
    /// first token of the text is scored too (without it the first token has no context and is never scored).
    /// Default false, as in the Hugging Face guide.
    /// </summary>
    public bool AddBos { get; init; }

    /// <summary>Keep each scored token's negative log-likelihood in <see cref="SequencePerplexity.TokenNlls"/>. Default false.</summary>
    public bool KeepTokenNlls { get; init; }

    /// <summary>
    /// Checks the settings that do not depend on the model: an explicit window of at least 2 tokens, a stride of at
    /// least 1 and not above an explicit window, a batch size of at least 1. (A stride above the model's default window
    /// is caught when the window is resolved.)
    /// </summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        if (MaxLength is { } window && window < 2)
        {
            throw new ArgumentException($"PerplexityOptions.MaxLength must be at least 2 tokens; found {window}.");
        }

        if (Stride is { } stride && (stride < 1 || (MaxLength is { } max && stride > max)))
        {
            throw new ArgumentException(
                $"PerplexityOptions.Stride must be between 1 and the window length{(MaxLength is { } m ? $" {m}" : string.Empty)}; found {stride}.");
        }

        if (BatchSize < 1)
        {
            throw new ArgumentException($"PerplexityOptions.BatchSize must be at least 1; found {BatchSize}.");
        }
    }

    /// <summary>The window and stride for <paramref name="config"/>, validated.</summary>
    /// <param name="config">The model's configuration.</param>
    /// <returns>The window length and stride in tokens.</returns>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    internal (int MaxLength, int Stride) Resolve(ModelConfig config)
    {
        var maxLength = MaxLength ?? Math.Min(config.MaxPositionEmbeddings, DefaultMaxLengthCap);
        if (maxLength < 2)
        {
            throw new ArgumentException($"PerplexityOptions.MaxLength must be at least 2 tokens; found {maxLength}.");
        }

        var stride = Stride ?? Math.Max(1, maxLength / 2);
        if (stride < 1 || stride > maxLength)
        {
            throw new ArgumentException(
                $"PerplexityOptions.Stride must be between 1 and the window length {maxLength}; found {stride}.");
        }

        if (BatchSize < 1)
        {
            throw new ArgumentException($"PerplexityOptions.BatchSize must be at least 1; found {BatchSize}.");
        }

        return (maxLength, stride);
    }
}
