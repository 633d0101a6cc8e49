using System.Text.Json;

namespace Peft.Tokenization.Loading;

/// <summary>
/// What <c>tokenizer_config.json</c>, <c>special_tokens_map.json</c>, <c>chat_template.jinja</c>,
/// <c>additional_chat_templates/*.jinja</c> and <c>generation_config.json</c> say about a tokenizer. Values in
/// <c>special_tokens_map.json</c> override <c>tokenizer_config.json</c>, as in transformers.
/// </summary>
internal sealed record TokenizerConfig
{
    public const string ConfigFileName = "tokenizer_config.json";
    public const string SpecialTokensMapFileName = "special_tokens_map.json";
    public const string ChatTemplateFileName = "chat_template.jinja";
    public const string AdditionalChatTemplatesFolder = "additional_chat_templates";
    public const string GenerationConfigFileName = "generation_config.json";

    public string? BosToken { get; init; }
    public string? EosToken { get; init; }
    public string? UnkToken { get; init; }
    public string? PadToken { get; init; }
    public IReadOnlyList<string> AdditionalSpecialTokens { get; init; } = Array.Empty<string>();
    public IReadOnlyList<AddedToken> AddedTokensDecoder { get; init; } = Array.Empty<AddedToken>();
    public bool? AddBosToken { get; init; }
    public bool? AddEosToken { get; init; }
    public bool? AddPrefixSpace { get; init; }
    public bool? Legacy { get; init; }
    public bool? CleanUpTokenizationSpaces { get; init; }
    public int? ModelMaxLength { get; init; }
    public string? TokenizerClass { get; init; }
    public PaddingSide? PaddingSide { get; init; }
    public TruncationSide? TruncationSide { get; init; }
    public IReadOnlyDictionary<string, string> ChatTemplates { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<int> GenerationEosTokenIds { get; init; } = Array.Empty<int>();

    /// <summary>Reads every optional config file present in <paramref name="folder"/>.</summary>
    /// <exception cref="TokenizerFormatException">A file is malformed.</exception>
    public static TokenizerConfig Read(string folder)
    {
        var config = new TokenizerConfig();
        var templates = new Dictionary<string, string>(StringComparer.Ordinal);

        var configFile = Path.Combine(folder, ConfigFileName);
        if (File.Exists(configFile))
        {
            using var document = JsonCursor.ParseFile(configFile);
            var root = JsonCursor.Root(configFile, document);
            root.RequireKind(JsonValueKind.Object, "an object");
            config = ReadSpecialTokens(root, config) with
            {
                AddedTokensDecoder = ReadAddedTokensDecoder(root.Optional("added_tokens_decoder")),
                AddBosToken = root.Optional("add_bos_token")?.GetBoolean(),
                AddEosToken = root.Optional("add_eos_token")?.GetBoolean(),
                AddPrefixSpace = root.Optional("add_prefix_space")?.GetBoolean(),
                Legacy = root.Optional("legacy")?.GetBoolean(),
                CleanUpTokenizationSpaces = root.Optional("clean_up_tokenization_spaces")?.GetBoolean(),
                ModelMaxLength = ReadMaxLength(root.Optional("model_max_length")),
                TokenizerClass = root.OptionalString("tokenizer_class"),
                PaddingSide = ReadSide(root.Optional("padding_side"), Tokenization.PaddingSide.Left, Tokenization.PaddingSide.Right),
                TruncationSide = ReadSide(root.Optional("truncation_side"), Tokenization.TruncationSide.Left, Tokenization.TruncationSide.Right),
            };
            ReadChatTemplates(root.Optional("chat_template"), templates);
        }

        var mapFile = Path.Combine(folder, SpecialTokensMapFileName);
        if (File.Exists(mapFile))
        {
            using var document = JsonCursor.ParseFile(mapFile);
            var root = JsonCursor.Root(mapFile, document);
            root.RequireKind(JsonValueKind.Object, "an object");
            config = ReadSpecialTokens(root, config);
        }

        var templateFile = Path.Combine(folder, ChatTemplateFileName);
        if (File.Exists(templateFile))
        {
            templates["default"] = File.ReadAllText(templateFile);
        }

        var additional = Path.Combine(folder, AdditionalChatTemplatesFolder);
        if (Directory.Exists(additional))
        {
            foreach (var file in Directory.GetFiles(additional, "*.jinja").Order(StringComparer.Ordinal))
            {
                templates[Path.GetFileNameWithoutExtension(file)] = File.ReadAllText(file);
            }
        }

        var generationFile = Path.Combine(folder, GenerationConfigFileName);
        if (File.Exists(generationFile))
        {
            using var document = JsonCursor.ParseFile(generationFile);
            var root = JsonCursor.Root(generationFile, document);
            root.RequireKind(JsonValueKind.Object, "an object");
            if (root.Optional("eos_token_id") is { } eos)
            {
                config = config with
                {
                    GenerationEosTokenIds = eos.Kind == JsonValueKind.Array ? eos.Items().Select(i => i.GetInt32()).ToArray() : [eos.GetInt32()],
                };
            }
        }

        return config with { ChatTemplates = templates };
    }

    private static TokenizerConfig ReadSpecialTokens(JsonCursor root, TokenizerConfig config) => config with
    {
        BosToken = TokenContent(root, "bos_token") ?? config.BosToken,
        EosToken = TokenContent(root, "eos_token") ?? config.EosToken,
        UnkToken = TokenContent(root, "unk_token") ?? config.UnkToken,
        PadToken = TokenContent(root, "pad_token") ?? config.PadToken,
        AdditionalSpecialTokens = root.Optional("additional_special_tokens") is { } list
            ? list.Items().Select(ReadTokenContent).ToArray()
            : config.AdditionalSpecialTokens,
    };

    private static string? TokenContent(JsonCursor root, string name) =>
        root.Optional(name) is { } node ? ReadTokenContent(node) : null;

    /// <summary>A special token written as a string or as an object with <c>content</c> (transformers' AddedToken).</summary>
    private static string ReadTokenContent(JsonCursor node) => node.Kind switch
    {
        JsonValueKind.String => node.GetString(),
        JsonValueKind.Object => node.Required("content").GetString(),
        _ => throw node.Error($"expected a token string or an object with \"content\"; found {node.Describe()}"),
    };

    private static IReadOnlyList<AddedToken> ReadAddedTokensDecoder(JsonCursor? node)
    {
        if (node is not { } map)
        {
            return Array.Empty<AddedToken>();
        }

        var tokens = new List<AddedToken>();
        foreach (var (key, value) in map.Properties())
        {
            if (!int.TryParse(key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
            {
                throw value.Error($"expected the key to be a token id (a non-negative integer); found '{key}'");
            }

            var special = value.OptionalBoolean("special", false);
            tokens.Add(new AddedToken(
                id,
                value.Required("content").GetString(),
                special,
                value.OptionalBoolean("normalized", !special),
                value.OptionalBoolean("lstrip", false),
                value.OptionalBoolean("rstrip", false),
                value.OptionalBoolean("single_word", false)));
        }

        return tokens;
    }

    private static void ReadChatTemplates(JsonCursor? node, Dictionary<string, string> templates)
    {
        if (node is not { } n)
        {
            return;
        }

        if (n.Kind == JsonValueKind.String)
        {
            templates["default"] = n.GetString();
            return;
        }

        if (n.Kind != JsonValueKind.Array)
        {
            throw n.Error($"expected a template string or a list of {{\"name\", \"template\"}} objects; found {n.Describe()}");
        }

        foreach (var item in n.Items())
        {
            templates[item.Required("name").GetString()] = item.Required("template").GetString();
        }
    }

    /// <summary><c>model_max_length</c>; transformers writes 1e30 (VERY_LARGE_INTEGER) for "no limit", read as null.</summary>
    private static int? ReadMaxLength(JsonCursor? node)
    {
        if (node is not { } n)
        {
            return null;
        }

        if (n.Kind != JsonValueKind.Number)
        {
            throw n.Error($"expected a number; found {n.Describe()}");
        }

        var value = n.Element.GetDouble();
        if (value <= 0 || value != Math.Floor(value))
        {
            throw n.Error($"expected a positive integer; found {n.Describe()}");
        }

        return value > int.MaxValue ? null : (int)value;
    }

    private static T? ReadSide<T>(JsonCursor? node, T left, T right)
        where T : struct => node?.GetString() switch
        {
            null => null,
            "left" => left,
            "right" => right,
            _ => throw node!.Value.Error($"expected \"left\" or \"right\"; found {node.Value.Describe()}"),
        };
}
