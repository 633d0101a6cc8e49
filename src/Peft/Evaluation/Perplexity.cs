using Peft.Models;
using Peft.Tokenization;

namespace Peft.Evaluation;

/// <summary>
/// Perplexity of a causal language model over a corpus, with the sliding window of the Hugging Face guide
/// "Perplexity of fixed-length models" for texts longer than the window. Runs whatever <see cref="CausalLM"/> it is
/// given, so adapters and quantized layers injected into the model are used as they are set.
/// </summary>
/// <remarks>
/// <para>
/// Corpus perplexity is token-weighted across texts: <c>PPL = exp(Σ NLL / N)</c>, the sum over every scored token of
/// every text of −log p(token | context) (natural log) divided by the number of scored tokens N. A text of n tokens
/// that fits the window is scored in one forward pass; its tokens 1 … n−1 are scored (token 0 has no context), so
/// its perplexity is exp of transformers' <c>model(ids, labels=ids).loss</c>.
/// </para>
/// <para>
/// Longer texts: windows of <c>L = MaxLength</c> tokens start at 0, s, 2s, … (s = <c>Stride</c>) until one reaches the
/// end of the text. Each window scores only the tokens after the end of the previous window (the guide's
/// <c>trg_len</c>; the overlap is context with label −100), so with s &lt; L every token from position 1 on is scored
/// exactly once, the first scored token of each later window seeing L − trg_len tokens of context (about L − s)
/// rather than all that precede it — the guide's approximation. With s = L the windows are disjoint chunks and the
/// first token of each chunk after the first is not scored at all (it has no context in its chunk).
/// </para>
/// <para>
/// Token count: this class divides by the tokens actually scored. The guide's loop weights each window's mean loss
/// by <c>num_valid_tokens − 1</c>, which equals the scored tokens for the first window and for disjoint chunks but is
/// one less for every later overlapping window; <see cref="PerplexityResult.GuidePerplexity"/> reproduces the guide's
/// figure for comparison with published numbers.
/// </para>
/// <para>
/// Windows of all texts are batched (<see cref="PerplexityOptions.BatchSize"/>, longest first) and right-padded.
/// Padding is never scored and cannot be attended to: with right padding the causal mask already keeps every real
/// token from seeing the padding after it, and position ids are unchanged, so no attention mask is passed (the fused
/// causal attention is about 2.5× faster than a masked one on CPU) and a text's result does not depend on the
/// batch beyond float rounding. The model runs in
/// evaluation mode without gradients (its training flag is restored afterwards). NLLs are computed in float32 from
/// the logits and summed in float64.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var result = Perplexity.Compute(model, tokenizer, texts, new PerplexityOptions { Stride = 512 });
/// Console.WriteLine($"PPL {result.Perplexity:F2} over {result.TokenCount} tokens");
/// </code>
/// </example>
public static class Perplexity
{
    /// <summary>Perplexity of texts.</summary>
    /// <param name="model">The model (with adapters or quantized layers as injected).</param>
    /// <param name="codec">The tokenizer.</param>
    /// <param name="texts">The texts; each is scored on its own (none sees another as context).</param>
    /// <param name="options">Window, stride, batch and tokenization settings; null for defaults.</param>
    /// <param name="progress">Receives the windows done; may be null.</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    /// <returns>The corpus perplexity and one result per text, in order.</returns>
    /// <exception cref="ArgumentNullException">An argument or a text is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range, or the tokenizer produced an id outside the model's vocabulary.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public static PerplexityResult Compute(CausalLM model, ITokenCodec codec, IReadOnlyList<string> texts,
        PerplexityOptions? options = null, IProgress<EvaluationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(codec);
        ArgumentNullException.ThrowIfNull(texts);
        options ??= new PerplexityOptions();
        var sequences = new IReadOnlyList<long>[texts.Count];
        for (var i = 0; i < texts.Count; i++)
        {
            var text = texts[i] ?? throw new ArgumentNullException(nameof(texts), $"Text at index {i} is null.");
            sequences[i] = Encode(model, codec, text, options);
        }

        return PerplexityScorer.Score(model, sequences, new int[sequences.Length], options, guideApplies: true, progress, cancellationToken);
    }

    /// <summary>Perplexity of token sequences (already tokenized; the tokenization options are not applied).</summary>
    /// <param name="model">The model.</param>
    /// <param name="sequences">Token ids per text.</param>
    /// <param name="options">Window, stride and batch settings; null for defaults.</param>
    /// <param name="progress">Receives the windows done; may be null.</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    /// <returns>The corpus perplexity and one result per sequence, in order.</returns>
    /// <exception cref="ArgumentNullException">An argument or a sequence is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range or a token id is outside the vocabulary.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public static PerplexityResult ComputeTokens(CausalLM model, IReadOnlyList<IReadOnlyList<long>> sequences,
        PerplexityOptions? options = null, IProgress<EvaluationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sequences);
        for (var i = 0; i < sequences.Count; i++)
        {
            _ = sequences[i] ?? throw new ArgumentNullException(nameof(sequences), $"Sequence at index {i} is null.");
        }

        return PerplexityScorer.Score(model, sequences, new int[sequences.Count], options ?? new PerplexityOptions(), guideApplies: true,
            progress, cancellationToken);
    }

    /// <summary>
    /// Perplexity of continuations given their prompts: the loss is taken only on the continuation's tokens, as
    /// when scoring a reference answer. The prompt is encoded as for generation (with special tokens when
    /// <see cref="PerplexityOptions.AddSpecialTokens"/>), the continuation on its own without special tokens, and
    /// the two token lists are joined, so the prompt's tokens are exactly those generation starts from. An empty
    /// prompt (no tokens) leaves the continuation's first token unscored.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="codec">The tokenizer.</param>
    /// <param name="prompts">The prompts.</param>
    /// <param name="continuations">The texts to score, one per prompt.</param>
    /// <param name="options">Window, stride, batch and tokenization settings; null for defaults.</param>
    /// <param name="progress">Receives the windows done; may be null.</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    /// <returns>The perplexity over all continuation tokens and one result per pair (counting continuation tokens only).</returns>
    /// <exception cref="ArgumentNullException">An argument or a text is null.</exception>
    /// <exception cref="ArgumentException">The lists differ in length or an option is out of range.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public static PerplexityResult ComputeConditional(CausalLM model, ITokenCodec codec, IReadOnlyList<string> prompts,
        IReadOnlyList<string> continuations, PerplexityOptions? options = null, IProgress<EvaluationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(codec);
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(continuations);
        if (prompts.Count != continuations.Count)
        {
            throw new ArgumentException(
                $"Expected one continuation per prompt; found {prompts.Count} prompts and {continuations.Count} continuations.",
                nameof(continuations));
        }

        options ??= new PerplexityOptions();
        var sequences = new IReadOnlyList<long>[prompts.Count];
        var scoreFrom = new int[prompts.Count];
        for (var i = 0; i < prompts.Count; i++)
        {
            var prompt = prompts[i] ?? throw new ArgumentNullException(nameof(prompts), $"Prompt at index {i} is null.");
            var continuation = continuations[i] ?? throw new ArgumentNullException(nameof(continuations), $"Continuation at index {i} is null.");
            var promptIds = Encode(model, codec, prompt, options);
            var continuationIds = codec.Encode(continuation, addSpecialTokens: false);
            sequences[i] = promptIds.Concat(continuationIds).ToArray();
            scoreFrom[i] = promptIds.Count;
        }

        return PerplexityScorer.Score(model, sequences, scoreFrom, options, guideApplies: false, progress, cancellationToken);
    }

    private static IReadOnlyList<long> Encode(CausalLM model, ITokenCodec codec, string text, PerplexityOptions options)
    {
        var ids = codec.Encode(text, options.AddSpecialTokens);
        if (options.AddBos)
        {
            var bos = model.Config.BosTokenId ?? model.GenerationConfig.BosTokenId ?? throw new ArgumentException(
                "PerplexityOptions.AddBos is set but the model's config names no bos_token_id.", nameof(options));
            if (ids.Count == 0 || ids[0] != bos)
            {
                ids = new[] { (long)bos }.Concat(ids).ToArray();
            }
        }

        return ids;
    }
}
