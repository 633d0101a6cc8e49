using Peft.Models;
using static TorchSharp.torch;

namespace Peft.Generation;

/// <summary>
/// Token-level autoregressive decoding with the KV cache: prompts (left-padded into one batch when their lengths
/// differ) are run once, then one token per step is appended for every unfinished sequence. Works on any
/// <see cref="CausalLM"/>, with or without adapters injected.
/// </summary>
public sealed class TokenGenerator
{
    private readonly CausalLM _model;

    /// <summary>Creates a generator for a model.</summary>
    /// <param name="model">The model (its adapters, if any, are used as they are set).</param>
    public TokenGenerator(CausalLM model)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
    }

    /// <summary>The stop token ids used when the options name none: the model's EOS ids.</summary>
    public IReadOnlyList<long> DefaultStopTokenIds =>
        _model.GenerationConfig.EosTokenIds.Concat(_model.Config.EosTokenIds).Distinct().Select(i => (long)i).ToArray();

    /// <summary>
    /// Generates continuations of token-id prompts.
    /// </summary>
    /// <param name="prompts">One or more prompts, each at least one token.</param>
    /// <param name="options">Decoding settings; null for greedy with 128 new tokens.</param>
    /// <param name="onToken">
    /// Called after each new token of each unfinished sequence with (sequence index, token id); returning false
    /// ends that sequence with <see cref="StopReason.StopString"/> (the text layer uses this for stop strings and streaming).
    /// </param>
    /// <param name="cancellationToken">Stops generation at the next step boundary.</param>
    /// <returns>One result per prompt, in order.</returns>
    /// <exception cref="ArgumentException">A prompt is empty or an option is out of range.</exception>
    public IReadOnlyList<GeneratedSequence> Generate(IReadOnlyList<IReadOnlyList<long>> prompts, GenerationOptions? options = null,
        Func<int, long, bool>? onToken = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        options ??= new GenerationOptions();
        options.Validate();
        if (prompts.Count == 0 || prompts.Any(p => p.Count == 0))
        {
            throw new ArgumentException("Every prompt needs at least one token.", nameof(prompts));
        }

        var batch = prompts.Count;
        var stopIds = new HashSet<long>(options.StopTokenIds ?? DefaultStopTokenIds);
        var padId = options.PadTokenId ?? _model.GenerationConfig.PadTokenId ?? _model.Config.PadTokenId
            ?? (stopIds.Count > 0 ? stopIds.Min() : 0L);
        var generated = Enumerable.Range(0, batch).Select(_ => new List<long>()).ToArray();
        var reasons = new StopReason?[batch];
        var longest = prompts.Max(p => p.Count);
        var padded = prompts.Any(p => p.Count != longest);

        using var guard = no_grad();
        using var generator = new Generator((ulong)(options.Seed ?? Random.Shared.NextInt64()), _model.Device);
        using var cache = _model.CreateCache(longest + options.MaxNewTokens);
        var history = LeftPad(prompts, longest, padId);                       // [B, longest]
        var mask = padded ? LeftPadMask(prompts, longest) : null;             // [B, longest]
        var input = history.alias();
        try
        {
            for (var step = 0; step < options.MaxNewTokens; step++)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    MarkUnfinished(reasons, StopReason.Cancelled);
                    break;
                }

                long[] next;
                using (var scope = NewDisposeScope())
                {
                    using var output = _model.Forward(input, mask, cache: cache);
                    var logits = output.Logits.select(1, -1).to(ScalarType.Float32).clone(); // [B, V]
                    var tokens = LogitsProcessing.NextTokens(logits, history.to(logits.device), options, generator);
                    next = tokens.cpu().data<long>().ToArray();
                }

                for (var b = 0; b < batch; b++)
                {
                    if (reasons[b] is not null)
                    {
                        next[b] = padId; // finished rows keep stepping with padding, as in transformers
                        continue;
                    }

                    generated[b].Add(next[b]);
                    if (stopIds.Contains(next[b]))
                    {
                        reasons[b] = StopReason.EndOfSequence;
                    }

                    if (onToken is not null && !onToken(b, next[b]) && reasons[b] is null)
                    {
                        reasons[b] = StopReason.StopString;
                    }
                }

                if (reasons.All(r => r is not null))
                {
                    break;
                }

                input.Dispose();
                input = tensor(next).unsqueeze(1);
                var grown = cat(new[] { history, input }, 1);
                history.Dispose();
                history = grown;
                if (mask is not null)
                {
                    var grownMask = cat(new[] { mask, ones(batch, 1, dtype: ScalarType.Int64) }, 1);
                    mask.Dispose();
                    mask = grownMask;
                }
            }
        }
        finally
        {
            input.Dispose();
            history.Dispose();
            mask?.Dispose();
        }

        MarkUnfinished(reasons, StopReason.Length);
        return Enumerable.Range(0, batch).Select(b => new GeneratedSequence(prompts[b].Count, generated[b], reasons[b]!.Value)).ToArray();
    }

    private static void MarkUnfinished(StopReason?[] reasons, StopReason reason)
    {
        for (var i = 0; i < reasons.Length; i++)
        {
            reasons[i] ??= reason;
        }
    }

    private static Tensor LeftPad(IReadOnlyList<IReadOnlyList<long>> prompts, int length, long padId)
    {
        var data = new long[prompts.Count * length];
        for (var b = 0; b < prompts.Count; b++)
        {
            var offset = length - prompts[b].Count;
            for (var i = 0; i < length; i++)
            {
                data[b * length + i] = i < offset ? padId : prompts[b][i - offset];
            }
        }

        return tensor(data, new long[] { prompts.Count, length });
    }

    private static Tensor LeftPadMask(IReadOnlyList<IReadOnlyList<long>> prompts, int length)
    {
        var data = new long[prompts.Count * length];
        for (var b = 0; b < prompts.Count; b++)
        {
            for (var i = length - prompts[b].Count; i < length; i++)
            {
                data[b * length + i] = 1;
            }
        }

        return tensor(data, new long[] { prompts.Count, length });
    }
}
