using Peft.Tokenization;
using static TorchSharp.torch;

namespace Peft.Data;

/// <summary>
/// Turns supervised examples into token sequences with loss masks and batches them: prompt and conversation
/// scaffolding get label −100 (by default), EOS is appended so the model learns to stop, padding is masked by
/// position (never by token id, so a pad token equal to EOS cannot hide the EOS label), and short examples can be
/// packed into rows whose sequences do not attend to each other.
/// </summary>
public sealed class SftCollator
{
    /// <summary>The label that carries no loss.</summary>
    public const long IgnoreIndex = -100;

    private readonly ITokenCodec _tokenizer;
    private readonly Func<IReadOnlyList<ChatMessage>, bool, string>? _renderChat;
    private readonly long _eos;

    /// <summary>Creates a collator.</summary>
    /// <param name="tokenizer">The tokenizer; its first end-of-sequence id is appended.</param>
    /// <param name="options">Lengths and loss masking.</param>
    /// <param name="renderChat">Renders a conversation with the chat template (messages, add_generation_prompt); needed for conversations.</param>
    /// <exception cref="ArgumentException">The tokenizer has no EOS id while EOS is to be appended, or MaxLength is below 2.</exception>
    public SftCollator(ITokenCodec tokenizer, SftCollatorOptions? options = null, Func<IReadOnlyList<ChatMessage>, bool, string>? renderChat = null)
    {
        _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        Options = options ?? new SftCollatorOptions();
        _renderChat = renderChat;
        if (Options.MaxLength < 2)
        {
            throw new ArgumentException($"MaxLength must be at least 2; found {Options.MaxLength}.", nameof(options));
        }

        if (Options.AppendEos && tokenizer.EndOfSequenceIds.Count == 0)
        {
            throw new ArgumentException("The tokenizer names no end-of-sequence token, so none can be appended; set AppendEos to false or configure eos_token.", nameof(tokenizer));
        }

        _eos = tokenizer.EndOfSequenceIds.Count > 0 ? tokenizer.EndOfSequenceIds[0] : -1;
    }

    /// <summary>The options.</summary>
    public SftCollatorOptions Options { get; }

    /// <summary>Tokenizes one example and builds its labels.</summary>
    /// <exception cref="DataFormatException">The example is empty, or a conversation cannot be split into turns.</exception>
    public TokenizedExample Tokenize(SftExample example)
    {
        ArgumentNullException.ThrowIfNull(example);
        var ids = new List<long>();
        var labels = new List<long>();
        void Add(IReadOnlyList<long> tokens, bool trained)
        {
            ids.AddRange(tokens);
            labels.AddRange(trained ? tokens : tokens.Select(_ => IgnoreIndex));
        }

        if (example.Messages is { } messages)
        {
            foreach (var (text, trained) in ConversationPieces(example, messages))
            {
                Add(_tokenizer.Encode(text, addSpecialTokens: false), trained || !Options.CompletionOnlyLoss);
            }
        }
        else if (example.Completion is not null)
        {
            Add(_tokenizer.Encode(example.Prompt ?? string.Empty, addSpecialTokens: true), !Options.CompletionOnlyLoss);
            Add(_tokenizer.Encode(example.Completion, addSpecialTokens: false), true);
        }
        else if (example.Text is not null)
        {
            Add(_tokenizer.Encode(example.Text, addSpecialTokens: true), true);
        }
        else
        {
            throw new DataFormatException(example.Source ?? "(in memory)", example.Line, "the example has no text, completion or messages.");
        }

        if (Options.AppendEos && example.Messages is null && (ids.Count == 0 || ids[^1] != _eos))
        {
            Add(new[] { _eos }, true);
        }

        var length = Math.Min(ids.Count, Options.MaxLength);
        return new TokenizedExample(ids.Take(length).ToArray(), labels.Take(length).ToArray(), example.Source, example.Line);
    }

    /// <summary>
    /// Splits a rendered conversation into pieces, marking each assistant turn as trained: the text between the
    /// render of the turns before it (with the generation prompt) and the render including it.
    /// </summary>
    private IEnumerable<(string Text, bool Trained)> ConversationPieces(SftExample example, IReadOnlyList<ChatMessage> messages)
    {
        if (_renderChat is null)
        {
            throw new InvalidOperationException("Conversations need a chat template: pass a renderer to the collator.");
        }

        var full = _renderChat(messages, false);
        var position = 0;
        for (var k = 0; k < messages.Count; k++)
        {
            if (messages[k].Role != "assistant")
            {
                continue;
            }

            var before = _renderChat(messages.Take(k).ToList(), true);
            var through = _renderChat(messages.Take(k + 1).ToList(), false);
            if (!full.StartsWith(before, StringComparison.Ordinal) || !full.StartsWith(through, StringComparison.Ordinal) || before.Length > through.Length || before.Length < position)
            {
                throw new DataFormatException(example.Source ?? "(in memory)", example.Line,
                    $"the chat template does not render this conversation turn by turn (assistant message {k}), so assistant tokens cannot be "
                    + "located; train on the whole sequence (CompletionOnlyLoss = false) or use a prompt/completion format.");
            }

            if (before.Length > position)
            {
                yield return (full[position..before.Length], false);
            }

            yield return (full[before.Length..through.Length], true);
            position = through.Length;
        }

        if (position < full.Length)
        {
            yield return (full[position..], false);
        }
    }

    /// <summary>Pads examples on the right into one batch.</summary>
    /// <param name="examples">The examples (at least one).</param>
    public SftBatch Collate(IReadOnlyList<TokenizedExample> examples) => Build(examples.Select(e => (IReadOnlyList<TokenizedExample>)new[] { e }).ToList(), packed: false);

    /// <summary>Builds a batch of packed rows: each row holds several examples, numbered as segments 1, 2, ….</summary>
    /// <param name="rows">Rows, each a list of examples whose total length fits <see cref="SftCollatorOptions.MaxLength"/>.</param>
    public SftBatch CollatePacked(IReadOnlyList<IReadOnlyList<TokenizedExample>> rows) => Build(rows, packed: true);

    private static SftBatch Build(IReadOnlyList<IReadOnlyList<TokenizedExample>> rows, bool packed)
    {
        if (rows.Count == 0)
        {
            throw new ArgumentException("A batch needs at least one example.", nameof(rows));
        }

        var width = rows.Max(r => r.Sum(e => e.Length));
        var ids = new long[rows.Count * width];
        var mask = new long[rows.Count * width];
        var labels = new long[rows.Count * width];
        var positions = new long[rows.Count * width];
        Array.Fill(labels, IgnoreIndex);
        for (var b = 0; b < rows.Count; b++)
        {
            var at = b * width;
            var segment = 0;
            foreach (var example in rows[b])
            {
                segment++;
                for (var i = 0; i < example.Length; i++, at++)
                {
                    ids[at] = example.InputIds[i];
                    labels[at] = i == 0 && segment > 1 ? IgnoreIndex : example.Labels[i]; // never predict across sequences
                    mask[at] = packed ? segment : 1;
                    positions[at] = i;
                }
            }
        }

        long[] shape = { rows.Count, width };
        return new SftBatch(tensor(ids, shape), tensor(mask, shape), tensor(labels, shape), packed ? tensor(positions, shape) : null);
    }

    /// <summary>
    /// Packs examples into rows of at most <paramref name="maxLength"/> tokens, first-fit by decreasing length
    /// (ties in input order), so the packing is deterministic.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<TokenizedExample>> Pack(IReadOnlyList<TokenizedExample> examples, int maxLength)
    {
        var rows = new List<(List<TokenizedExample> Items, int Used)>();
        foreach (var example in examples.Select((e, i) => (e, i)).OrderByDescending(x => x.e.Length).ThenBy(x => x.i).Select(x => x.e))
        {
            var slot = rows.FindIndex(r => r.Used + example.Length <= maxLength);
            if (slot < 0)
            {
                rows.Add((new List<TokenizedExample> { example }, example.Length));
            }
            else
            {
                rows[slot].Items.Add(example);
                rows[slot] = (rows[slot].Items, rows[slot].Used + example.Length);
            }
        }

        return rows.Select(r => (IReadOnlyList<TokenizedExample>)r.Items).ToList();
    }
}
