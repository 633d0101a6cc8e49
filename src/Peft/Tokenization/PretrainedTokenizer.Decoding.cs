using System.Text;

namespace Peft.Tokenization;

public sealed partial class PretrainedTokenizer
{
    /// <summary>
    /// Decodes ids to text, as transformers' <c>tokenizer.decode(ids)</c>: ids become token strings (ids without a
    /// token are skipped), the file's decoder turns them into text (byte-level bytes → UTF-8, "▁" → space, byte
    /// fallback), and <c>clean_up_tokenization_spaces</c> is applied when configured.
    /// </summary>
    /// <param name="ids">The ids.</param>
    /// <param name="skipSpecialTokens">Leave out special tokens (BOS, EOS, chat markers, …).</param>
    /// <returns>The text.</returns>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var text = DecodeRaw(ids, skipSpecialTokens);
        return CleanUpTokenizationSpaces ? CleanUp(text) : text;
    }

    /// <summary>Starts decoding a stream of generated ids; see <see cref="IncrementalDecoder"/>.</summary>
    /// <param name="skipSpecialTokens">Leave out special tokens.</param>
    /// <param name="promptIds">The ids that precede the generated ones (only the last few are used, as context for decoders that drop a leading space).</param>
    /// <returns>A new decoder.</returns>
    public IncrementalDecoder CreateIncrementalDecoder(bool skipSpecialTokens = false, IReadOnlyList<int>? promptIds = null) =>
        new(this, skipSpecialTokens, promptIds);

    /// <summary>Decodes without <c>clean_up_tokenization_spaces</c> (which is not prefix-stable, so streaming cannot use it).</summary>
    internal string DecodeRaw(IEnumerable<int> ids, bool skipSpecialTokens)
    {
        var tokens = new List<string>();
        foreach (var id in ids)
        {
            if (skipSpecialTokens && _specialIds.Contains(id))
            {
                continue;
            }

            if (IdToToken(id) is { } token)
            {
                tokens.Add(token);
            }
        }

        return _pipeline.Decoder is { } decoder ? decoder.Decode(tokens) : string.Join(' ', tokens);
    }

    /// <summary>transformers' <c>clean_up_tokenization</c>: removes the space before punctuation and English contractions.</summary>
    internal static string CleanUp(string text) => new StringBuilder(text)
        .Replace(" .", ".")
        .Replace(" ?", "?")
        .Replace(" !", "!")
        .Replace(" ,", ",")
        .Replace(" ' ", "'")
        .Replace(" n't", "n't")
        .Replace(" 'm", "'m")
        .Replace(" 's", "'s")
        .Replace(" 've", "'ve")
        .Replace(" 're", "'re")
        .ToString();
}
