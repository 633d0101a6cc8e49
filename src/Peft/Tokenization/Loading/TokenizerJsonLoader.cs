using Peft.Tokenization.Pipeline;

namespace Peft.Tokenization.Loading;

/// <summary>Reads a Hugging Face <c>tokenizer.json</c>.</summary>
internal static class TokenizerJsonLoader
{
    /// <exception cref="TokenizerFormatException">The file is malformed or uses an unsupported component.</exception>
    public static PipelineParts Load(string file, bool forceManagedBpe)
    {
        using var document = JsonCursor.ParseFile(file);
        var root = JsonCursor.Root(file, document);
        root.RequireKind(System.Text.Json.JsonValueKind.Object, "an object");

        var normalizer = ComponentParsers.Normalizer(root.Optional("normalizer"));
        var preTokenizer = ComponentParsers.PreTokenizer(root.Optional("pre_tokenizer"));
        var decoder = ComponentParsers.Decoder(root.Optional("decoder"));
        var byteLevel = preTokenizer?.IsByteLevel ?? false;
        var model = Model(root.Required("model"), byteLevel, forceManagedBpe);

        var added = new List<AddedToken>();
        if (root.Optional("added_tokens") is { } list)
        {
            foreach (var item in list.Items())
            {
                var special = item.OptionalBoolean("special", false);
                added.Add(new AddedToken(
                    item.Required("id").GetInt32(),
                    item.Required("content").GetString(),
                    special,
                    item.OptionalBoolean("normalized", !special),
                    item.OptionalBoolean("lstrip", false),
                    item.OptionalBoolean("rstrip", false),
                    item.OptionalBoolean("single_word", false)));
            }
        }

        int? Resolve(string token) =>
            added.Find(t => t.Content == token)?.Id ?? (model.Vocabulary.TryGetId(token, out var id) ? id : null);

        var frame = ComponentParsers.Frame(root.Optional("post_processor"), Resolve);
        return new PipelineParts
        {
            Format = TokenizerFileFormat.TokenizerJson,
            MainFile = file,
            Normalizer = normalizer,
            PreTokenizer = preTokenizer,
            Model = model,
            Decoder = decoder,
            Frame = frame,
            AddedTokens = added,
        };
    }

    private static TokenModel Model(JsonCursor node, bool byteLevel, bool forceManagedBpe)
    {
        var type = node.OptionalString("type") ?? (node.Optional("merges") is not null ? "BPE" : null);
        if (type != "BPE")
        {
            throw node.Error($"model type '{type ?? "(none)"}' is not supported (supported: BPE; for a SentencePiece Unigram model load its tokenizer.model with TokenizerLoadOptions.PreferSentencePieceModel)");
        }

        var vocabNode = node.Required("vocab");
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (token, value) in vocabNode.Properties())
        {
            ids[token] = value.GetInt32();
        }

        Vocabulary vocab;
        try
        {
            vocab = new Vocabulary(ids);
        }
        catch (ArgumentException e)
        {
            throw vocabNode.Error(e.Message);
        }

        var settings = new BpeSettings
        {
            UnknownToken = node.OptionalString("unk_token"),
            FuseUnknown = node.OptionalBoolean("fuse_unk", false),
            ByteFallback = node.OptionalBoolean("byte_fallback", false),
            ContinuingSubwordPrefix = NonEmpty(node.OptionalString("continuing_subword_prefix")),
            EndOfWordSuffix = NonEmpty(node.OptionalString("end_of_word_suffix")),
            IgnoreMerges = node.OptionalBoolean("ignore_merges", false),
            ByteLevel = byteLevel,
        };
        if (settings.UnknownToken is { } unk && !vocab.TryGetId(unk, out _))
        {
            throw node.Required("unk_token").Error($"the unk_token '{unk}' is not in the vocabulary");
        }

        var merges = Merges(node.Optional("merges"), vocab, settings.ContinuingSubwordPrefix);
        var simple = settings is { ByteFallback: false, ContinuingSubwordPrefix: null, EndOfWordSuffix: null, ByteLevel: true };
        if (simple && !forceManagedBpe && LibraryBpeModel.CanExpress(merges))
        {
            return LibraryBpeModel.Create(vocab, merges, settings.IgnoreMerges);
        }

        return new BpeModel(vocab, merges, settings);
    }

    /// <summary>Reads merges in either form (<c>"a b"</c> strings or <c>["a", "b"]</c> pairs) and checks them against the vocabulary.</summary>
    private static List<(string Left, string Right)> Merges(JsonCursor? node, Vocabulary vocab, string? continuingPrefix)
    {
        var merges = new List<(string Left, string Right)>();
        if (node is not { } list)
        {
            return merges;
        }

        var prefixLength = continuingPrefix?.Length ?? 0;
        foreach (var item in list.Items())
        {
            string left;
            string right;
            if (item.Kind == System.Text.Json.JsonValueKind.String)
            {
                var text = item.GetString();
                var space = text.IndexOf(' ', StringComparison.Ordinal);
                if (space <= 0 || space == text.Length - 1 || text.IndexOf(' ', space + 1) >= 0)
                {
                    throw item.Error($"expected a merge \"left right\" (two tokens separated by one space); found {item.Describe()}");
                }

                left = text[..space];
                right = text[(space + 1)..];
            }
            else if (item.Kind == System.Text.Json.JsonValueKind.Array)
            {
                var parts = item.Items().ToArray();
                if (parts.Length != 2)
                {
                    throw item.Error($"expected a merge [\"left\", \"right\"]; found {item.Describe()}");
                }

                left = parts[0].GetString();
                right = parts[1].GetString();
            }
            else
            {
                throw item.Error($"expected a merge as \"left right\" or [\"left\", \"right\"]; found {item.Describe()}");
            }

            foreach (var part in new[] { left, right })
            {
                if (!vocab.TryGetId(part, out _))
                {
                    throw item.Error($"merge uses '{part}', which is not in model.vocab");
                }
            }

            var merged = left + (right.Length >= prefixLength ? right[prefixLength..] : right);
            if (!vocab.TryGetId(merged, out _))
            {
                throw item.Error($"merge makes '{merged}', which is not in model.vocab");
            }

            merges.Add((left, right));
        }

        return merges;
    }

    private static string? NonEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
