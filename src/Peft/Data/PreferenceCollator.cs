using Peft.Tokenization;
using static TorchSharp.torch;

namespace Peft.Data;

/// <summary>
/// Tokenizes preference pairs and lays batches out for one concatenated forward pass (chosen rows, then rejected
/// rows). Conversations are rendered with the chat template: the completion is what the full render adds after
/// the prompt rendered with the generation prompt.
/// </summary>
public sealed class PreferenceCollator
{
    private readonly ITokenCodec _tokenizer;
    private readonly Func<IReadOnlyList<ChatMessage>, bool, string>? _renderChat;

    /// <summary>Creates a collator.</summary>
    /// <param name="tokenizer">The tokenizer.</param>
    /// <param name="options">Lengths; null for defaults.</param>
    /// <param name="renderChat">Renders conversations (messages, add_generation_prompt); needed for conversational pairs.</param>
    public PreferenceCollator(ITokenCodec tokenizer, PreferenceCollatorOptions? options = null, Func<IReadOnlyList<ChatMessage>, bool, string>? renderChat = null)
    {
        _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        Options = options ?? new PreferenceCollatorOptions();
        _renderChat = renderChat;
        if (Options.MaxPromptLength < 1 || Options.MaxLength <= Options.MaxPromptLength)
        {
            throw new ArgumentException($"Need 1 ≤ MaxPromptLength < MaxLength; found {Options.MaxPromptLength} and {Options.MaxLength}.", nameof(options));
        }
    }

    /// <summary>The options.</summary>
    public PreferenceCollatorOptions Options { get; }

    /// <summary>Tokenizes and truncates one pair.</summary>
    /// <exception cref="DataFormatException">A conversation does not render as prompt then reply.</exception>
    public TokenizedPair Tokenize(PreferenceExample pair)
    {
        ArgumentNullException.ThrowIfNull(pair);
        long[] prompt, chosen, rejected;
        if (pair.IsConversational)
        {
            if (_renderChat is null)
            {
                throw new InvalidOperationException("Conversational pairs need a chat template: pass a renderer to the collator.");
            }

            var promptText = _renderChat(pair.PromptMessages!, true);
            prompt = Encode(promptText, false);
            chosen = Encode(Reply(pair, promptText, pair.ChosenMessages!), false);
            rejected = Encode(Reply(pair, promptText, pair.RejectedMessages!), false);
        }
        else
        {
            prompt = Encode(pair.Prompt!, true);
            chosen = WithEos(Encode(pair.Chosen!, false));
            rejected = WithEos(Encode(pair.Rejected!, false));
        }

        // TRL's truncation: when too long, keep the prompt's end, then cut completions to what is left.
        if (prompt.Length + Math.Max(chosen.Length, rejected.Length) > Options.MaxLength && prompt.Length > Options.MaxPromptLength)
        {
            prompt = prompt[^Options.MaxPromptLength..];
        }

        var room = Math.Max(1, Options.MaxLength - prompt.Length);
        return new TokenizedPair(prompt, chosen.Take(room).ToArray(), rejected.Take(room).ToArray(), pair.Source, pair.Line);
    }

    private string Reply(PreferenceExample pair, string promptText, IReadOnlyList<ChatMessage> reply)
    {
        var full = _renderChat!(pair.PromptMessages!.Concat(reply).ToList(), false);
        if (!full.StartsWith(promptText, StringComparison.Ordinal) || full.Length == promptText.Length)
        {
            throw new DataFormatException(pair.Source ?? "(in memory)", pair.Line,
                "the chat template does not render the prompt (with the generation prompt) as a prefix of the prompt plus reply, so the reply cannot be located.");
        }

        return full[promptText.Length..];
    }

    private long[] Encode(string text, bool special) => _tokenizer.Encode(text, special).ToArray();

    private long[] WithEos(long[] ids) =>
        Options.AppendEos && _tokenizer.EndOfSequenceIds.Count > 0 && (ids.Length == 0 || ids[^1] != _tokenizer.EndOfSequenceIds[0])
            ? ids.Append(_tokenizer.EndOfSequenceIds[0]).ToArray()
            : ids;

    /// <summary>Builds the concatenated batch: rows 0..B−1 prompt+chosen, rows B..2B−1 prompt+rejected, right-padded.</summary>
    /// <param name="pairs">The pairs (at least one).</param>
    /// <param name="indices">Their dataset indices.</param>
    /// <param name="referenceChosen">Precomputed reference log-probs of the chosen completions, or null.</param>
    /// <param name="referenceRejected">Precomputed reference log-probs of the rejected completions, or null.</param>
    public PreferenceBatch Collate(IReadOnlyList<TokenizedPair> pairs, IReadOnlyList<int> indices, float[]? referenceChosen = null, float[]? referenceRejected = null)
    {
        if (pairs.Count == 0)
        {
            throw new ArgumentException("A batch needs at least one pair.", nameof(pairs));
        }

        var rows = pairs.Select(p => (p.PromptIds, Completion: p.ChosenIds)).Concat(pairs.Select(p => (p.PromptIds, Completion: p.RejectedIds))).ToList();
        var width = rows.Max(r => r.PromptIds.Length + r.Completion.Length);
        var ids = new long[rows.Count * width];
        var mask = new long[rows.Count * width];
        var labels = new long[rows.Count * width];
        Array.Fill(labels, SftCollator.IgnoreIndex);
        for (var r = 0; r < rows.Count; r++)
        {
            var at = r * width;
            foreach (var token in rows[r].PromptIds)
            {
                ids[at] = token;
                mask[at++] = 1;
            }

            foreach (var token in rows[r].Completion)
            {
                ids[at] = token;
                labels[at] = token;
                mask[at++] = 1;
            }
        }

        long[] shape = { rows.Count, width };
        return new PreferenceBatch(tensor(ids, shape), tensor(mask, shape), tensor(labels, shape),
            referenceChosen is null ? null : tensor(referenceChosen),
            referenceRejected is null ? null : tensor(referenceRejected),
            indices);
    }
}
