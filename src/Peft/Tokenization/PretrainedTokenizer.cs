using Peft.Tokenization.Loading;
using Peft.Tokenization.Pipeline;

namespace Peft.Tokenization;

/// <summary>
/// A Hugging Face tokenizer loaded from a model folder: <c>tokenizer.json</c> (byte-level BPE such as GPT-2,
/// Llama-3, Qwen2, SmolLM; or Llama-2-style BPE with byte fallback), a SentencePiece <c>tokenizer.model</c>
/// (Llama-2, Mistral, TinyLlama), or GPT-2's <c>vocab.json</c> + <c>merges.txt</c>; together with the special tokens,
/// limits and chat templates of <c>tokenizer_config.json</c> / <c>special_tokens_map.json</c>. Encoding matches
/// transformers' fast tokenizer id for id; BPE merging and SentencePiece run in Microsoft.ML.Tokenizers where it can
/// express the file (see <c>docs/tokenizers.md</c>).
/// </summary>
/// <remarks>Instances are immutable and thread-safe.</remarks>
public sealed partial class PretrainedTokenizer
{
    /// <summary>The Hugging Face fast-tokenizer file.</summary>
    public const string TokenizerJsonFileName = "tokenizer.json";

    /// <summary>The SentencePiece model file.</summary>
    public const string SentencePieceFileName = "tokenizer.model";

    /// <summary>GPT-2's vocabulary file.</summary>
    public const string VocabFileName = "vocab.json";

    /// <summary>GPT-2's merges file.</summary>
    public const string MergesFileName = "merges.txt";

    private static readonly HashSet<string> s_llamaClasses = new(StringComparer.Ordinal)
    {
        "LlamaTokenizer", "LlamaTokenizerFast", "CodeLlamaTokenizer", "CodeLlamaTokenizerFast", "GemmaTokenizer", "GemmaTokenizerFast",
    };

    private readonly TokenizerPipeline _pipeline;
    private readonly HashSet<int> _specialIds;

    private PretrainedTokenizer(TokenizerPipeline pipeline, PipelineParts parts, TokenizerConfig config, SpecialTokens specials, bool cleanUp)
    {
        _pipeline = pipeline;
        Format = parts.Format;
        SourceFile = parts.MainFile;
        (BosToken, BosTokenId) = specials.Bos;
        (EosToken, EosTokenId) = specials.Eos;
        (UnkToken, UnkTokenId) = specials.Unk;
        (PadToken, PadTokenId) = specials.Pad;
        EosTokenIds = (EosTokenId is { } eos ? new[] { eos } : Array.Empty<int>()).Concat(config.GenerationEosTokenIds).Distinct().ToArray();
        ModelMaxLength = config.ModelMaxLength;
        PaddingSide = config.PaddingSide ?? PaddingSide.Right;
        TruncationSide = config.TruncationSide ?? TruncationSide.Right;
        CleanUpTokenizationSpaces = cleanUp;
        ChatTemplates = config.ChatTemplates;
        _specialIds = pipeline.Added.Tokens.Where(t => t.Special).Select(t => t.Id).ToHashSet();
    }

    /// <summary>The kind of file the tokenizer was built from.</summary>
    public TokenizerFileFormat Format { get; }

    /// <summary>The file the tokenizer was built from (<c>tokenizer.json</c>, <c>tokenizer.model</c> or <c>vocab.json</c>).</summary>
    public string SourceFile { get; }

    /// <summary>The beginning-of-sequence token, or null when the tokenizer has none.</summary>
    public string? BosToken { get; }

    /// <summary>The id of <see cref="BosToken"/>, or null when it has none (or the token is not in the vocabulary).</summary>
    public int? BosTokenId { get; }

    /// <summary>The end-of-sequence token, or null.</summary>
    public string? EosToken { get; }

    /// <summary>The id of <see cref="EosToken"/>, or null.</summary>
    public int? EosTokenId { get; }

    /// <summary>
    /// Every id that ends generation: <see cref="EosTokenId"/> first, then the ids listed as <c>eos_token_id</c> in
    /// <c>generation_config.json</c> (Llama-3 instruct models list both <c>&lt;|end_of_text|&gt;</c> and
    /// <c>&lt;|eot_id|&gt;</c>).
    /// </summary>
    public IReadOnlyList<int> EosTokenIds { get; }

    /// <summary>
    /// The padding token, or null when the files define none (Llama-2, Llama-3 and Mistral define none). Choose a
    /// padding token deliberately (<see cref="TokenizerLoadOptions.PadToken"/>); when reusing EOS for padding, build
    /// labels from the attention mask, never by masking every EOS id, or the model never learns to stop.
    /// </summary>
    public string? PadToken { get; }

    /// <summary>The id of <see cref="PadToken"/>, or null.</summary>
    public int? PadTokenId { get; }

    /// <summary>The unknown token, or null (byte-level tokenizers have none).</summary>
    public string? UnkToken { get; }

    /// <summary>The id of <see cref="UnkToken"/>, or null.</summary>
    public int? UnkTokenId { get; }

    /// <summary>The model's maximum sequence length (<c>model_max_length</c>), or null when unset or "unlimited" (1e30).</summary>
    public int? ModelMaxLength { get; }

    /// <summary>The configured padding side (<c>padding_side</c>; right when absent).</summary>
    public PaddingSide PaddingSide { get; }

    /// <summary>The configured truncation side (<c>truncation_side</c>; right when absent).</summary>
    public TruncationSide TruncationSide { get; }

    /// <summary>Whether <see cref="Decode"/> applies transformers' <c>clean_up_tokenization_spaces</c>.</summary>
    public bool CleanUpTokenizationSpaces { get; }

    /// <summary>The default chat template (the <c>default</c> entry of <see cref="ChatTemplates"/>), or null.</summary>
    public string? ChatTemplate => ChatTemplates.GetValueOrDefault("default");

    /// <summary>
    /// Every chat template by name: <c>chat_template</c> of <c>tokenizer_config.json</c> (a string is named
    /// <c>default</c>), <c>chat_template.jinja</c> (as <c>default</c>) and <c>additional_chat_templates/*.jinja</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string> ChatTemplates { get; }

    /// <summary>The added tokens (special tokens and user-added words) matched before the model runs.</summary>
    public IReadOnlyList<AddedToken> AddedTokens => _pipeline.Added.Tokens;

    /// <summary>The ids of all special tokens (skipped by <c>Decode(…, skipSpecialTokens: true)</c>).</summary>
    public IReadOnlyCollection<int> SpecialTokenIds => _specialIds;

    /// <summary>The ids <c>Encode(…, addSpecialTokens: true)</c> puts before the text (e.g. BOS).</summary>
    public IReadOnlyList<int> PostProcessorPrefixIds => _pipeline.Frame.Prefix;

    /// <summary>The ids <c>Encode(…, addSpecialTokens: true)</c> puts after the text (e.g. EOS when <c>add_eos_token</c>).</summary>
    public IReadOnlyList<int> PostProcessorSuffixIds => _pipeline.Frame.Suffix;

    /// <summary>The size of the model's vocabulary, without added tokens (transformers' <c>vocab_size</c>).</summary>
    public int VocabSize => _pipeline.Model.Vocabulary.Count;

    /// <summary>The number of distinct tokens including added tokens (transformers' <c>len(tokenizer)</c>).</summary>
    public int VocabSizeWithAddedTokens =>
        VocabSize + _pipeline.Added.Tokens.Count(t => !_pipeline.Model.Vocabulary.TryGetId(t.Content, out _));

    /// <summary>The id of a token string (an added token or a vocabulary entry such as "Ġthe"), or null.</summary>
    /// <param name="token">The token as it appears in the vocabulary.</param>
    /// <returns>The id, or null when the token is unknown.</returns>
    public int? TokenToId(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (_pipeline.Added.TryGetByContent(token, out var added))
        {
            return added.Id;
        }

        return _pipeline.Model.Vocabulary.TryGetId(token, out var id) ? id : null;
    }

    /// <summary>The token string of an id (added tokens first, as in Hugging Face), or null when no token has it.</summary>
    /// <param name="id">The token id.</param>
    /// <returns>The token string, or null.</returns>
    public string? IdToToken(int id) =>
        _pipeline.Added.TryGetById(id, out var added) ? added.Content : _pipeline.Model.Vocabulary.GetToken(id);

    /// <summary>Whether <paramref name="id"/> is a special token.</summary>
    /// <param name="id">The token id.</param>
    /// <returns>True for special added tokens (BOS, EOS, chat markers, …).</returns>
    public bool IsSpecialToken(int id) => _specialIds.Contains(id);

    /// <summary>Resolved special tokens: each as (content, id).</summary>
    private sealed record SpecialTokens((string?, int?) Bos, (string?, int?) Eos, (string?, int?) Unk, (string?, int?) Pad);
}
