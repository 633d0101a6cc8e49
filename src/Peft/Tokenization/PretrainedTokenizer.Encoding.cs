using Peft.Tokenization.Pipeline;

namespace Peft.Tokenization;

public sealed partial class PretrainedTokenizer
{
    /// <summary>Encodes text to token ids, as transformers' <c>tokenizer.encode(text)</c>.</summary>
    /// <param name="text">The text. Special tokens written in it (e.g. <c>&lt;|eot_id|&gt;</c>) are recognised unless <see cref="TokenizerLoadOptions.SplitSpecialTokens"/> was set.</param>
    /// <param name="addSpecialTokens">
    /// Add the post-processor's tokens (<see cref="PostProcessorPrefixIds"/>, <see cref="PostProcessorSuffixIds"/>).
    /// Pass false for text rendered by a chat template that already starts with BOS, or BOS appears twice.
    /// </param>
    /// <returns>The ids.</returns>
    public int[] Encode(string text, bool addSpecialTokens = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sink = new TokenSink(withOffsets: false);
        _pipeline.EncodeContent(text, sink);
        if (addSpecialTokens)
        {
            _pipeline.ApplyFrame(sink);
        }

        return sink.Ids.ToArray();
    }

    /// <summary>Encodes text and reports each token's string, input offsets and whether it is special.</summary>
    /// <param name="text">The text.</param>
    /// <param name="addSpecialTokens">Add the post-processor's tokens.</param>
    /// <returns>The ids with tokens, offsets (<c>[start, end)</c> in UTF-16 chars of <paramref name="text"/>) and the special-tokens mask.</returns>
    public TokenizedText EncodeWithOffsets(string text, bool addSpecialTokens = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sink = new TokenSink(withOffsets: true);
        _pipeline.EncodeContent(text, sink);
        if (addSpecialTokens)
        {
            _pipeline.ApplyFrame(sink);
        }

        return new TokenizedText
        {
            Ids = sink.Ids.ToArray(),
            Tokens = sink.Ids.Select(id => IdToToken(id) ?? string.Empty).ToArray(),
            Offsets = sink.Offsets!.ToArray(),
            SpecialTokensMask = sink.Special!.ToArray(),
        };
    }

    /// <summary>
    /// Encodes several texts with optional truncation and padding (transformers'
    /// <c>tokenizer(texts, padding=…, truncation=…, max_length=…)</c>). Truncation cuts the text's tokens and keeps
    /// the post-processor's special tokens, so a row is at most <c>MaxLength</c> long including BOS/EOS.
    /// </summary>
    /// <param name="texts">The texts.</param>
    /// <param name="options">Padding and truncation; null for none.</param>
    /// <returns>The id rows and attention masks as <see cref="long"/> arrays.</returns>
    /// <exception cref="ArgumentException">
    /// Truncation or max-length padding without a length (<see cref="BatchEncodeOptions.MaxLength"/> and
    /// <see cref="ModelMaxLength"/> both unset), a length too small for the special tokens, or a non-positive
    /// <see cref="BatchEncodeOptions.PadToMultipleOf"/>.
    /// </exception>
    /// <exception cref="InvalidOperationException">Padding was requested but there is no pad id (set <see cref="TokenizerLoadOptions.PadToken"/> or <see cref="BatchEncodeOptions.PadTokenId"/>).</exception>
    public BatchEncoding EncodeBatch(IReadOnlyList<string> texts, BatchEncodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        options ??= BatchEncodeOptions.Default;
        var frame = options.AddSpecialTokens ? _pipeline.Frame : SpecialTokenFrame.None;
        var maxLength = options.MaxLength ?? ModelMaxLength;
        if ((options.Truncation || options.Padding == PaddingStrategy.MaxLength) && maxLength is null)
        {
            throw new ArgumentException("Truncation and max-length padding need BatchEncodeOptions.MaxLength (the tokenizer has no model_max_length).", nameof(options));
        }

        if (maxLength is <= 0)
        {
            throw new ArgumentException($"MaxLength must be positive; found {maxLength}.", nameof(options));
        }

        if (options.PadToMultipleOf is <= 0)
        {
            throw new ArgumentException($"PadToMultipleOf must be positive; found {options.PadToMultipleOf}.", nameof(options));
        }

        var special = frame.Prefix.Count + frame.Suffix.Count;
        if (options.Truncation && maxLength < special)
        {
            throw new ArgumentException($"MaxLength {maxLength} leaves no room for the {special} special tokens the tokenizer adds.", nameof(options));
        }

        var truncationSide = options.TruncationSide ?? TruncationSide;
        var rows = new List<long[]>(texts.Count);
        foreach (var text in texts)
        {
            ArgumentNullException.ThrowIfNull(text, nameof(texts));
            var sink = new TokenSink(withOffsets: false);
            _pipeline.EncodeContent(text, sink);
            var content = sink.Ids;
            var budget = options.Truncation ? maxLength!.Value - special : int.MaxValue;
            var skip = content.Count > budget && truncationSide == TruncationSide.Left ? content.Count - budget : 0;
            var take = Math.Min(content.Count, budget);

            var row = new long[frame.Prefix.Count + take + frame.Suffix.Count];
            var k = 0;
            foreach (var id in frame.Prefix)
            {
                row[k++] = id;
            }

            for (var i = 0; i < take; i++)
            {
                row[k++] = content[skip + i];
            }

            foreach (var id in frame.Suffix)
            {
                row[k++] = id;
            }

            rows.Add(row);
        }

        return Pad(rows, options, maxLength);
    }

    private BatchEncoding Pad(List<long[]> rows, BatchEncodeOptions options, int? maxLength)
    {
        if (options.Padding == PaddingStrategy.None)
        {
            return new BatchEncoding(rows, rows.Select(r => Enumerable.Repeat(1L, r.Length).ToArray()).ToArray());
        }

        var padId = options.PadTokenId ?? PadTokenId ?? throw new InvalidOperationException(
            PadToken is null
                ? "Padding was requested but the tokenizer has no pad token. Set TokenizerLoadOptions.PadToken or BatchEncodeOptions.PadTokenId (a token the labels ignore; do not silently reuse EOS)."
                : $"Padding was requested but the pad token '{PadToken}' is not in the vocabulary. Set BatchEncodeOptions.PadTokenId.");
        var width = options.Padding == PaddingStrategy.MaxLength ? maxLength!.Value : rows.Count == 0 ? 0 : rows.Max(r => r.Length);
        if (options.PadToMultipleOf is { } multiple && width % multiple != 0)
        {
            width += multiple - (width % multiple);
        }

        var side = options.PaddingSide ?? PaddingSide;
        var ids = new long[rows.Count][];
        var masks = new long[rows.Count][];
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            var length = Math.Max(width, row.Length); // rows longer than max_length stay unpadded (no truncation asked)
            var padding = length - row.Length;
            var offset = side == PaddingSide.Left ? padding : 0;
            ids[i] = new long[length];
            masks[i] = new long[length];
            Array.Fill(ids[i], padId);
            row.CopyTo(ids[i], offset);
            Array.Fill(masks[i], 1L, offset, row.Length);
        }

        return new BatchEncoding(ids, masks);
    }
}
