namespace Peft.Tokenization;

/// <summary>Options for <see cref="PretrainedTokenizer.FromPretrained"/>. Every property defaults to "as the files say".</summary>
public sealed record TokenizerLoadOptions
{
    /// <summary>The default options.</summary>
    public static TokenizerLoadOptions Default { get; } = new();

    /// <summary>
    /// Load <c>tokenizer.model</c> even when <c>tokenizer.json</c> is present (transformers' slow tokenizer). By default
    /// <c>tokenizer.json</c> wins, as with transformers' fast tokenizer.
    /// </summary>
    public bool PreferSentencePieceModel { get; init; }

    /// <summary>
    /// The padding token to use when the files define none (or to replace theirs). It must already be in the
    /// vocabulary. Choose a token the model never needs to predict; do not silently reuse the EOS token for padding
    /// when labels are built from the padded ids, or the model learns never to stop.
    /// </summary>
    public string? PadToken { get; init; }

    /// <summary>Overrides whether <c>Encode(…, addSpecialTokens: true)</c> prepends the BOS token.</summary>
    public bool? AddBosToken { get; init; }

    /// <summary>Overrides whether <c>Encode(…, addSpecialTokens: true)</c> appends the EOS token.</summary>
    public bool? AddEosToken { get; init; }

    /// <summary>
    /// Treat special tokens that appear in the input text as plain text (transformers' <c>split_special_tokens</c>):
    /// user-provided text then cannot inject <c>&lt;|eot_id|&gt;</c> or <c>&lt;/s&gt;</c>.
    /// </summary>
    public bool SplitSpecialTokens { get; init; }

    /// <summary>
    /// Overrides transformers' <c>clean_up_tokenization_spaces</c> (removes the space before punctuation such as
    /// " ." and " n't" when decoding). By default the value in <c>tokenizer_config.json</c> is used, else false.
    /// </summary>
    public bool? CleanUpTokenizationSpaces { get; init; }

    /// <summary>Test hook: use the managed BPE implementation even where Microsoft.ML.Tokenizers could be used.</summary>
    internal bool ForceManagedBpe { get; init; }

    /// <summary>Test hook: encode SentencePiece BPE models with Microsoft.ML.Tokenizers (see <c>SentencePieceLoader</c>).</summary>
    internal bool ForceLibrarySentencePiece { get; init; }
}
