using static TorchSharp.torch;

namespace Peft.Generation;

/// <summary>The per-step transformations of next-token logits, as transformers' logits processors define them.</summary>
internal static class LogitsProcessing
{
    /// <summary>Repetition penalty (CTRL): for every token already in the sequence, <c>s &lt; 0 ? s·p : s/p</c>.</summary>
    /// <param name="logits">[batch, vocab] float32, modified in place.</param>
    /// <param name="history">[batch, length] int64 token ids seen so far (prompt and generated).</param>
    /// <param name="penalty">The penalty p.</param>
    public static void RepetitionPenalty(Tensor logits, Tensor history, double penalty)
    {
        if (penalty == 1.0)
        {
            return;
        }

        using var scope = NewDisposeScope();
        var score = logits.gather(1, history);
        var penalised = where(score < 0, score * penalty, score / penalty);
        logits.scatter_(1, history, penalised);
    }

    /// <summary>Keeps the k largest logits per row and sets the rest to −∞.</summary>
    /// <param name="logits">[batch, vocab], modified in place.</param>
    /// <param name="k">How many tokens to keep; 0 keeps all.</param>
    public static void TopK(Tensor logits, int k)
    {
        if (k <= 0 || k >= logits.shape[1])
        {
            return;
        }

        using var scope = NewDisposeScope();
        var kth = logits.topk(k, dim: 1).values.narrow(1, k - 1, 1);
        logits.masked_fill_(logits < kth, float.NegativeInfinity);
    }

    /// <summary>
    /// Nucleus filtering: keeps the smallest set of most likely tokens whose probabilities sum to at least p
    /// (at least one token), setting the others to −∞.
    /// </summary>
    /// <param name="logits">[batch, vocab], modified in place.</param>
    /// <param name="p">Probability mass to keep; 1 keeps all.</param>
    public static void TopP(Tensor logits, double p)
    {
        if (p >= 1.0)
        {
            return;
        }

        using var scope = NewDisposeScope();
        var (sorted, indices) = logits.sort(dim: 1, descending: false);
        var cumulative = sorted.softmax(1).cumsum(1);
        // Ascending order: drop the low tail whose total stays within 1 − p; the most likely token always survives.
        var remove = cumulative <= (1 - p);
        remove.narrow(1, remove.shape[1] - 1, 1).fill_(false);
        var removeOriginal = zeros_like(remove).scatter_(1, indices, remove);
        logits.masked_fill_(removeOriginal, float.NegativeInfinity);
    }

    /// <summary>Picks the next token per row: argmax, or a draw from the processed distribution.</summary>
    /// <param name="logits">[batch, vocab] float32 (modified in place when sampling).</param>
    /// <param name="history">[batch, length] token ids so far, for the repetition penalty.</param>
    /// <param name="options">The decoding settings.</param>
    /// <param name="generator">The seeded generator used when sampling.</param>
    /// <returns>[batch] int64 token ids.</returns>
    public static Tensor NextTokens(Tensor logits, Tensor history, GenerationOptions options, Generator generator)
    {
        RepetitionPenalty(logits, history, options.RepetitionPenalty);
        if (!options.IsSampling)
        {
            return logits.argmax(1);
        }

        using var scope = NewDisposeScope();
        if (options.Temperature != 1.0)
        {
            logits.div_(options.Temperature);
        }

        TopK(logits, options.TopK);
        TopP(logits, options.TopP);
        var probabilities = logits.softmax(1);
        return multinomial(probabilities, 1, generator: generator).squeeze(1).MoveToOuterDisposeScope();
    }
}
