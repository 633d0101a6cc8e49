using Peft.Tokenization.Loading;
using Peft.Tokenization.Pipeline;

namespace Peft.Tokenization;

public sealed partial class PretrainedTokenizer
{
    /// <summary>
    /// Loads the tokenizer of a Hugging Face model folder. Looks for <c>tokenizer.json</c>, then
    /// <c>tokenizer.model</c>, then <c>vocab.json</c> + <c>merges.txt</c>, and reads <c>tokenizer_config.json</c>,
    /// <c>special_tokens_map.json</c>, <c>chat_template.jinja</c> and <c>generation_config.json</c> when present.
    /// </summary>
    /// <param name="folder">The model folder.</param>
    /// <param name="options">Overrides; null for the defaults.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="DirectoryNotFoundException"><paramref name="folder"/> does not exist.</exception>
    /// <exception cref="TokenizerFilesNotFoundException">The folder holds no tokenizer file; the exception lists every name looked for.</exception>
    /// <exception cref="TokenizerFormatException">A file is malformed or uses an unsupported feature; the message names the file and location.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> name a token that is not in the vocabulary.</exception>
    public static PretrainedTokenizer FromPretrained(string folder, TokenizerLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        options ??= TokenizerLoadOptions.Default;
        var full = Path.GetFullPath(folder);
        if (!Directory.Exists(full))
        {
            throw new DirectoryNotFoundException($"The tokenizer folder '{full}' does not exist.");
        }

        var config = TokenizerConfig.Read(full);
        var parts = LoadParts(full, config, options);
        return Build(full, parts, config, options);
    }

    private static PipelineParts LoadParts(string folder, TokenizerConfig config, TokenizerLoadOptions options)
    {
        var json = Path.Combine(folder, TokenizerJsonFileName);
        var model = Path.Combine(folder, SentencePieceFileName);
        var vocab = Path.Combine(folder, VocabFileName);
        var merges = Path.Combine(folder, MergesFileName);
        if (File.Exists(json) && !(options.PreferSentencePieceModel && File.Exists(model)))
        {
            return TokenizerJsonLoader.Load(json, options.ForceManagedBpe);
        }

        if (File.Exists(model))
        {
            return SentencePieceLoader.Load(model, config.Legacy ?? true, options.ForceLibrarySentencePiece);
        }

        if (File.Exists(vocab) && File.Exists(merges))
        {
            return VocabMergesLoader.Load(vocab, merges, config.AddPrefixSpace ?? false, options.ForceManagedBpe);
        }

        var detail = File.Exists(vocab) ? $"Found {VocabFileName} but not {MergesFileName}."
            : File.Exists(merges) ? $"Found {MergesFileName} but not {VocabFileName}."
            : null;
        throw new TokenizerFilesNotFoundException(folder, [TokenizerJsonFileName, SentencePieceFileName, VocabFileName, MergesFileName], detail);
    }

    private static PretrainedTokenizer Build(string folder, PipelineParts parts, TokenizerConfig config, TokenizerLoadOptions options)
    {
        var added = new List<AddedToken>(parts.AddedTokens);
        foreach (var token in config.AddedTokensDecoder)
        {
            if (!added.Exists(t => t.Content == token.Content || t.Id == token.Id))
            {
                added.Add(token);
            }
        }

        var vocabulary = parts.Model.Vocabulary;
        var configFile = Path.Combine(folder, TokenizerConfig.ConfigFileName);

        // Tokens the config names as special become special added tokens, as transformers registers them.
        (string?, int?) Special(string? content)
        {
            if (content is null)
            {
                return (null, null);
            }

            var index = added.FindIndex(t => t.Content == content);
            if (index >= 0)
            {
                added[index] = added[index] with { Special = true };
                return (content, added[index].Id);
            }

            if (vocabulary.TryGetId(content, out var id))
            {
                added.Add(new AddedToken(id, content, Special: true));
                return (content, id);
            }

            return (content, null);
        }

        var specials = new SpecialTokens(
            Special(config.BosToken ?? parts.DefaultBos),
            Special(config.EosToken ?? parts.DefaultEos),
            Special(config.UnkToken ?? parts.DefaultUnk),
            Special(options.PadToken ?? config.PadToken));
        if (options.PadToken is { } pad && specials.Pad.Item2 is null)
        {
            throw new ArgumentException($"The pad token '{pad}' is not in the vocabulary of '{parts.MainFile}'.", nameof(options));
        }

        foreach (var content in config.AdditionalSpecialTokens)
        {
            Special(content);
        }

        var frame = ResolveFrame(parts, config, options, specials, configFile);
        var pipeline = new TokenizerPipeline
        {
            Added = new AddedVocabulary(added, parts.Normalizer, options.SplitSpecialTokens),
            Normalizer = parts.Normalizer,
            PreTokenizer = parts.PreTokenizer,
            Model = parts.Model,
            Frame = frame,
            Decoder = parts.Decoder,
        };
        var cleanUp = options.CleanUpTokenizationSpaces ?? config.CleanUpTokenizationSpaces ?? false;
        return new PretrainedTokenizer(pipeline, parts, config, specials, cleanUp);
    }

    /// <summary>
    /// Decides which ids <c>Encode</c> adds. The file's post-processor is used as is, except that — like
    /// transformers — Llama-family tokenizer classes and explicit <c>add_bos_token</c> / <c>add_eos_token</c> values
    /// (or load options) rebuild it as <c>[BOS] text [EOS]</c> with each part optional. SentencePiece models default to
    /// BOS only; GPT-2's vocab/merges pair to nothing.
    /// </summary>
    private static SpecialTokenFrame ResolveFrame(PipelineParts parts, TokenizerConfig config, TokenizerLoadOptions options, SpecialTokens specials, string configFile)
    {
        var frame = parts.Frame;
        var bosId = specials.Bos.Item2;
        var eosId = specials.Eos.Item2;
        var hasBos = bosId is { } b && frame.Prefix.SequenceEqual([b]);
        var hasEos = eosId is { } e && frame.Suffix.SequenceEqual([e]);
        var llama = config.TokenizerClass is { } c && s_llamaClasses.Contains(c);

        var (defaultBos, defaultEos) = parts.Format switch
        {
            TokenizerFileFormat.SentencePieceModel => (true, false),
            TokenizerFileFormat.VocabAndMerges => (false, false),
            _ => llama ? (true, false) : (hasBos, hasEos),
        };
        var addBos = options.AddBosToken ?? config.AddBosToken ?? defaultBos;
        var addEos = options.AddEosToken ?? config.AddEosToken ?? defaultEos;
        if (parts.Format == TokenizerFileFormat.TokenizerJson && addBos == hasBos && addEos == hasEos)
        {
            return frame;
        }

        if (addBos && bosId is null)
        {
            throw options.AddBosToken is not null
                ? new ArgumentException("AddBosToken is true but the tokenizer has no BOS token in its vocabulary.", nameof(options))
                : new TokenizerFormatException(configFile, "$.add_bos_token", "add_bos_token is true but no bos_token in the vocabulary is defined");
        }

        if (addEos && eosId is null)
        {
            throw options.AddEosToken is not null
                ? new ArgumentException("AddEosToken is true but the tokenizer has no EOS token in its vocabulary.", nameof(options))
                : new TokenizerFormatException(configFile, "$.add_eos_token", "add_eos_token is true but no eos_token in the vocabulary is defined");
        }

        return new SpecialTokenFrame(addBos ? [bosId!.Value] : [], addEos ? [eosId!.Value] : []);
    }
}
