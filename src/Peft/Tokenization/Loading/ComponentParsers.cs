using System.Text;
using Peft.Tokenization.Pipeline;

namespace Peft.Tokenization.Loading;

/// <summary>Builds normalizers, pre-tokenizers, post-processor frames and decoders from their <c>tokenizer.json</c> objects.</summary>
internal static class ComponentParsers
{
    public static TextNormalizer? Normalizer(JsonCursor? node)
    {
        if (node is not { } n)
        {
            return null;
        }

        var type = TypeOf(n);
        return type switch
        {
            "Sequence" => new SequenceNormalizer(n.Required("normalizers").Items().Select(i => Normalizer(i)).OfType<TextNormalizer>().ToArray()),
            "Prepend" => new PrependNormalizer(n.Required("prepend").GetString()),
            "Replace" => new ReplaceNormalizer(Pattern(n.Required("pattern")), n.Required("content").GetString()),
            "NFC" => new UnicodeFormNormalizer(NormalizationForm.FormC),
            "NFD" => new UnicodeFormNormalizer(NormalizationForm.FormD),
            "NFKC" => new UnicodeFormNormalizer(NormalizationForm.FormKC),
            "NFKD" => new UnicodeFormNormalizer(NormalizationForm.FormKD),
            "Lowercase" => new LowercaseNormalizer(),
            "Strip" => new StripNormalizer(n.OptionalBoolean("strip_left", true), n.OptionalBoolean("strip_right", true)),
            _ => throw Unsupported(n, "normalizer", type, "Sequence, Prepend, Replace, NFC, NFD, NFKC, NFKD, Lowercase, Strip"),
        };
    }

    public static PreTokenizerStep? PreTokenizer(JsonCursor? node)
    {
        if (node is not { } n)
        {
            return null;
        }

        var type = TypeOf(n);
        switch (type)
        {
            case "Sequence":
                return new SequencePreTokenizer(n.Required("pretokenizers").Items().Select(i => PreTokenizer(i)).OfType<PreTokenizerStep>().ToArray());
            case "Split":
                return new SplitPreTokenizer(Pattern(n.Required("pattern")), Behavior(n.Required("behavior")), n.OptionalBoolean("invert", false));
            case "ByteLevel":
                return new ByteLevelPreTokenizer(n.OptionalBoolean("add_prefix_space", true), n.OptionalBoolean("use_regex", true));
            case "Metaspace":
                {
                    var (replacement, scheme) = MetaspaceSettings(n);
                    return new MetaspacePreTokenizer(replacement, scheme, n.OptionalBoolean("split", true));
                }

            case "Digits":
                return new DigitsPreTokenizer(n.OptionalBoolean("individual_digits", false));
            case "WhitespaceSplit":
                return new WhitespaceSplitPreTokenizer();
            case "Whitespace":
                return new WhitespacePreTokenizer();
            case "Punctuation":
                return new PunctuationPreTokenizer(n.Optional("behavior") is { } b ? Behavior(b) : SplitBehavior.Isolated);
            default:
                throw Unsupported(n, "pre_tokenizer", type, "Sequence, Split, ByteLevel, Metaspace, Digits, Whitespace, WhitespaceSplit, Punctuation");
        }
    }

    public static TokenDecoder? Decoder(JsonCursor? node)
    {
        if (node is not { } n)
        {
            return null;
        }

        var type = TypeOf(n);
        switch (type)
        {
            case "Sequence":
                return new SequenceDecoder(n.Required("decoders").Items().Select(i => Decoder(i)).OfType<TokenDecoder>().ToArray());
            case "ByteLevel":
                return new ByteLevelDecoder();
            case "Metaspace":
                {
                    var (replacement, scheme) = MetaspaceSettings(n);
                    return new MetaspaceDecoder(replacement, scheme);
                }

            case "Replace":
                return new ReplaceDecoder(Pattern(n.Required("pattern")), n.Required("content").GetString());
            case "ByteFallback":
                return new ByteFallbackDecoder();
            case "Fuse":
                return new FuseDecoder();
            case "Strip":
                {
                    var content = n.Required("content");
                    var text = content.GetString();
                    if (text.Length != 1)
                    {
                        throw content.Error($"expected a single character; found {content.Describe()}");
                    }

                    return new StripDecoder(text[0], n.OptionalInt32("start", 0), n.OptionalInt32("stop", 0));
                }

            case "BPEDecoder":
                return new BpeSuffixDecoder(n.OptionalString("suffix") ?? "</w>");
            default:
                throw Unsupported(n, "decoder", type, "Sequence, ByteLevel, Metaspace, Replace, ByteFallback, Fuse, Strip, BPEDecoder");
        }
    }

    /// <summary>The ids a post-processor adds around a single sequence.</summary>
    /// <param name="node">The <c>post_processor</c> object, or null.</param>
    /// <param name="resolve">Finds the id of a token named in the post-processor (for Bert/Roberta processing).</param>
    public static SpecialTokenFrame Frame(JsonCursor? node, Func<string, int?> resolve)
    {
        if (node is not { } n)
        {
            return SpecialTokenFrame.None;
        }

        var type = TypeOf(n);
        switch (type)
        {
            case "ByteLevel":
                return SpecialTokenFrame.None;
            case "Sequence":
                return n.Required("processors").Items().Aggregate(SpecialTokenFrame.None, (frame, p) => frame.Then(Frame(p, resolve)));
            case "TemplateProcessing":
                return Template(n);
            case "BertProcessing":
            case "RobertaProcessing":
                return new SpecialTokenFrame([TokenPair(n.Required("cls"), resolve)], [TokenPair(n.Required("sep"), resolve)]);
            default:
                throw Unsupported(n, "post_processor", type, "TemplateProcessing, ByteLevel, BertProcessing, RobertaProcessing, Sequence");
        }
    }

    private static SpecialTokenFrame Template(JsonCursor n)
    {
        var specials = new Dictionary<string, int[]>(StringComparer.Ordinal);
        if (n.Optional("special_tokens") is { } map)
        {
            foreach (var (name, value) in map.Properties())
            {
                specials[name] = value.Required("ids").Items().Select(i => i.GetInt32()).ToArray();
            }
        }

        var prefix = new List<int>();
        var suffix = new List<int>();
        var seenSequence = false;
        var single = n.Required("single");
        foreach (var item in single.Items())
        {
            string? specialName = null;
            var isSequence = false;
            if (item.Kind == System.Text.Json.JsonValueKind.String)
            {
                var text = item.GetString();
                var name = text.Split(':')[0];
                isSequence = name is "$" or "$A" or "$B" or "$0" or "$1";
                specialName = isSequence ? null : name;
            }
            else if (item.Optional("Sequence") is not null)
            {
                isSequence = true;
            }
            else if (item.Optional("SpecialToken") is { } special)
            {
                specialName = special.Required("id").GetString();
            }
            else
            {
                throw item.Error($"expected {{\"Sequence\": …}} or {{\"SpecialToken\": …}}; found {item.Describe()}");
            }

            if (isSequence)
            {
                seenSequence = true;
                continue;
            }

            if (!specials.TryGetValue(specialName!, out var ids))
            {
                throw item.Error($"special token '{specialName}' is not listed in {n.Path}.special_tokens");
            }

            (seenSequence ? suffix : prefix).AddRange(ids);
        }

        if (!seenSequence)
        {
            throw single.Error("the single-sequence template has no $A sequence");
        }

        return new SpecialTokenFrame(prefix, suffix);
    }

    private static int TokenPair(JsonCursor pair, Func<string, int?> resolve)
    {
        var items = pair.Items().ToArray();
        if (items.Length != 2)
        {
            throw pair.Error($"expected [token, id]; found {pair.Describe()}");
        }

        return items[1].Kind == System.Text.Json.JsonValueKind.Number
            ? items[1].GetInt32()
            : resolve(items[0].GetString()) ?? throw items[0].Error("token is not in the vocabulary");
    }

    private static (char Replacement, PrependScheme Scheme) MetaspaceSettings(JsonCursor n)
    {
        var replacementNode = n.Required("replacement");
        var replacement = replacementNode.GetString();
        if (replacement.Length != 1)
        {
            throw replacementNode.Error($"expected a single character; found {replacementNode.Describe()}");
        }

        PrependScheme scheme;
        if (n.Optional("prepend_scheme") is { } s)
        {
            scheme = s.GetString() switch
            {
                "always" => PrependScheme.Always,
                "first" => PrependScheme.First,
                "never" => PrependScheme.Never,
                _ => throw s.Error($"expected \"always\", \"first\" or \"never\"; found {s.Describe()}"),
            };
        }
        else
        {
            scheme = n.OptionalBoolean("add_prefix_space", true) ? PrependScheme.Always : PrependScheme.Never;
        }

        return (replacement[0], scheme);
    }

    /// <summary>A <c>{"String": …}</c> (literal) or <c>{"Regex": …}</c> pattern.</summary>
    public static UnicodeRegex Pattern(JsonCursor node)
    {
        if (node.Optional("String") is { } literal)
        {
            return UnicodeRegex.Literal(literal.GetString());
        }

        if (node.Optional("Regex") is { } regex)
        {
            var pattern = regex.GetString();
            try
            {
                return UnicodeRegex.Create(pattern);
            }
            catch (ArgumentException e)
            {
                throw regex.Error($"the regular expression cannot be compiled by .NET: {e.Message}");
            }
        }

        throw node.Error($"expected {{\"String\": …}} or {{\"Regex\": …}}; found {node.Describe()}");
    }

    private static SplitBehavior Behavior(JsonCursor node) => node.GetString() switch
    {
        "Removed" => SplitBehavior.Removed,
        "Isolated" => SplitBehavior.Isolated,
        "MergedWithPrevious" => SplitBehavior.MergedWithPrevious,
        "MergedWithNext" => SplitBehavior.MergedWithNext,
        "Contiguous" => SplitBehavior.Contiguous,
        _ => throw node.Error($"expected Removed, Isolated, MergedWithPrevious, MergedWithNext or Contiguous; found {node.Describe()}"),
    };

    private static string TypeOf(JsonCursor node) => node.Required("type").GetString();

    private static TokenizerFormatException Unsupported(JsonCursor node, string component, string type, string supported) =>
        node.Error($"{component} type '{type}' is not supported (supported: {supported})");
}
