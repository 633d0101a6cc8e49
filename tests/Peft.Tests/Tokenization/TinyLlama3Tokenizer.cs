using System.Text.Json.Nodes;
using Peft.Tokenization.Pipeline;

namespace Peft.Tests.Tokenization;

/// <summary>
/// A tiny Llama-3-style byte-level BPE tokenizer.json: ids 0–255 are the 256 byte characters (id = byte value), a
/// handful of merges, a Split pre-tokenizer with Llama-3's regex followed by ByteLevel(use_regex = false),
/// <c>ignore_merges</c>, a Sequence[ByteLevel, TemplateProcessing] post-processor that adds &lt;|begin_of_text|&gt;,
/// and Llama-3's special tokens.
/// </summary>
internal static class TinyLlama3Tokenizer
{
    public const string Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    public const int BeginOfText = 300, EndOfText = 301, StartHeader = 302, EndHeader = 303, EotId = 304;

    /// <summary>Merges in rank order; the merged tokens get ids 256, 257, … in this order.</summary>
    public static readonly (string Left, string Right)[] Merges =
    [
        ("h", "e"), ("l", "l"), ("ll", "o"), ("he", "llo"), ("Ġ", "w"), ("o", "r"), ("Ġw", "or"), ("l", "d"),
        ("Ġwor", "ld"), ("H", "e"), ("He", "llo"), ("1", "2"), ("3", "4"),
    ];

    // hello=259, Ġworld=264, Hello=266, 12=267, 34=268, Ġhi=269 (reachable only through ignore_merges).
    public const int Hello = 266, HelloLower = 259, SpaceWorld = 264, Twelve = 267, SpaceHi = 269;

    public static void Write(string folder, bool ignoreMerges = true)
    {
        var vocab = new JsonObject();
        for (var b = 0; b < 256; b++)
        {
            vocab[ByteLevelAlphabet.ToChar((byte)b).ToString()] = b;
        }

        var next = 256;
        foreach (var (left, right) in Merges)
        {
            vocab[left + right] = next++;
        }

        vocab["Ġhi"] = next;

        var specialTokens = new (int Id, string Content)[]
        {
            (BeginOfText, "<|begin_of_text|>"), (EndOfText, "<|end_of_text|>"), (StartHeader, "<|start_header_id|>"),
            (EndHeader, "<|end_header_id|>"), (EotId, "<|eot_id|>"),
        };
        var added = new JsonArray();
        foreach (var (id, content) in specialTokens)
        {
            added.Add(TokenizerFolders.AddedToken(id, content, special: true));
        }

        var json = new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = added,
            ["normalizer"] = null,
            ["pre_tokenizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["pretokenizers"] = new JsonArray(
                    new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = Pattern }, ["behavior"] = "Isolated", ["invert"] = false },
                    new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = false }),
            },
            ["post_processor"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["processors"] = new JsonArray(
                    new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = false, ["use_regex"] = true },
                    new JsonObject
                    {
                        ["type"] = "TemplateProcessing",
                        ["single"] = new JsonArray(
                            new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = "<|begin_of_text|>", ["type_id"] = 0 } },
                            new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } }),
                        ["pair"] = new JsonArray(),
                        ["special_tokens"] = new JsonObject
                        {
                            ["<|begin_of_text|>"] = new JsonObject { ["id"] = "<|begin_of_text|>", ["ids"] = new JsonArray(BeginOfText), ["tokens"] = new JsonArray("<|begin_of_text|>") },
                        },
                    }),
            },
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = true, ["use_regex"] = true },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["dropout"] = null,
                ["unk_token"] = null,
                ["continuing_subword_prefix"] = null,
                ["end_of_word_suffix"] = null,
                ["fuse_unk"] = false,
                ["byte_fallback"] = false,
                ["ignore_merges"] = ignoreMerges,
                ["vocab"] = vocab,
                ["merges"] = new JsonArray(Merges.Select(m => (JsonNode)(m.Left + " " + m.Right)).ToArray()),
            },
        };
        TokenizerFolders.WriteJson(Path.Combine(folder, "tokenizer.json"), json);
        TokenizerFolders.WriteJson(Path.Combine(folder, "tokenizer_config.json"), new JsonObject
        {
            ["bos_token"] = "<|begin_of_text|>",
            ["eos_token"] = "<|eot_id|>",
            ["clean_up_tokenization_spaces"] = true,
            ["model_max_length"] = 1000000000000000019884624838656.0,
            ["tokenizer_class"] = "PreTrainedTokenizerFast",
            ["chat_template"] = "{{ bos_token }}{% for m in messages %}<|start_header_id|>{{ m['role'] }}<|end_header_id|>\n\n{{ m['content'] }}<|eot_id|>{% endfor %}",
        });
        TokenizerFolders.WriteJson(Path.Combine(folder, "generation_config.json"), new JsonObject
        {
            ["bos_token_id"] = BeginOfText,
            ["eos_token_id"] = new JsonArray(EndOfText, EotId),
        });
    }
}
