using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Peft.IO;

namespace Peft.Tokenization;

/// <summary>
/// Trains a small byte-level BPE tokenizer (GPT-2 style: GPT-2's pre-tokenizer regex, bytes mapped to printable
/// characters, merges learned greedily by pair frequency) and writes it as a Hugging Face
/// <c>tokenizer.json</c> + <c>tokenizer_config.json</c>. Meant for models trained from scratch on small corpora
/// (the QuickStart's toy model); real models ship their own tokenizers.
/// </summary>
public static partial class ByteLevelBpeTrainer
{
    [GeneratedRegex(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+")]
    private static partial Regex Gpt2PreTokenizer();

    /// <summary>Learns merges from texts and writes the tokenizer files into <paramref name="folder"/>.</summary>
    /// <param name="texts">The training texts.</param>
    /// <param name="vocabSize">Target vocabulary size including the 256 byte symbols and the special tokens.</param>
    /// <param name="folder">Output folder (created if needed).</param>
    /// <param name="specialTokens">Special tokens, given the first ids (e.g. <c>&lt;|endoftext|&gt;</c>, chat markers).</param>
    /// <param name="bosToken">The token added before every encoded text, or null for none.</param>
    /// <param name="eosToken">The end-of-sequence token.</param>
    /// <param name="padToken">The padding token, or null.</param>
    /// <param name="chatTemplate">A chat template to store in tokenizer_config.json, or null.</param>
    /// <returns>The number of merges learned.</returns>
    /// <exception cref="ArgumentException">The vocabulary is too small for the bytes and special tokens, or a token is not special.</exception>
    public static int Train(IEnumerable<string> texts, int vocabSize, string folder, IReadOnlyList<string> specialTokens,
        string? bosToken, string eosToken, string? padToken = null, string? chatTemplate = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (vocabSize < 256 + specialTokens.Count)
        {
            throw new ArgumentException($"vocabSize must be at least 256 + {specialTokens.Count} special tokens; found {vocabSize}.", nameof(vocabSize));
        }

        foreach (var token in new[] { bosToken, eosToken, padToken }.Where(t => t is not null))
        {
            if (!specialTokens.Contains(token!))
            {
                throw new ArgumentException($"'{token}' must be one of the special tokens.", nameof(specialTokens));
            }
        }

        var byteChars = ByteToChar();
        var words = CountWords(texts, byteChars);
        var merges = LearnMerges(words, vocabSize - 256 - specialTokens.Count);

        var vocab = new JsonObject();
        var id = 0;
        foreach (var special in specialTokens)
        {
            vocab[special] = id++;
        }

        foreach (var c in byteChars.OrderBy(c => c))
        {
            vocab[c.ToString()] = id++;
        }

        foreach (var (a, b) in merges)
        {
            vocab[a + b] = id++;
        }

        Directory.CreateDirectory(folder);
        AtomicFile.WriteAllText(Path.Combine(folder, "tokenizer.json"), TokenizerJson(vocab, merges, specialTokens, bosToken).ToJsonString(new() { WriteIndented = true }));
        var config = new JsonObject
        {
            ["tokenizer_class"] = "PreTrainedTokenizerFast",
            ["bos_token"] = bosToken,
            ["eos_token"] = eosToken,
            ["pad_token"] = padToken,
            ["add_bos_token"] = bosToken is not null,
            ["model_max_length"] = 2048,
        };
        if (chatTemplate is not null)
        {
            config["chat_template"] = chatTemplate;
        }

        AtomicFile.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), config.ToJsonString(new() { WriteIndented = true }));
        return merges.Count;
    }

    private static Dictionary<string, int> CountWords(IEnumerable<string> texts, char[] byteChars)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var builder = new StringBuilder();
        foreach (var text in texts)
        {
            foreach (Match m in Gpt2PreTokenizer().Matches(text))
            {
                builder.Clear();
                foreach (var b in Encoding.UTF8.GetBytes(m.Value))
                {
                    builder.Append(byteChars[b]);
                }

                var word = builder.ToString();
                counts[word] = counts.GetValueOrDefault(word) + 1;
            }
        }

        return counts;
    }

    private static List<(string A, string B)> LearnMerges(Dictionary<string, int> words, int maxMerges)
    {
        // Symbols are ints (ids into `names`); a pair is packed into one long so counting is cheap.
        var names = new List<string>();
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        int Id(string name)
        {
            if (!ids.TryGetValue(name, out var id))
            {
                ids[name] = id = names.Count;
                names.Add(name);
            }

            return id;
        }

        var corpus = words.OrderBy(w => w.Key, StringComparer.Ordinal)
            .Select(w => (Symbols: w.Key.Select(c => Id(c.ToString())).ToList(), Count: w.Value)).ToList();
        var merges = new List<(string, string)>();
        var pairs = new Dictionary<long, long>();
        while (merges.Count < maxMerges)
        {
            pairs.Clear();
            foreach (var (symbols, count) in corpus)
            {
                for (var i = 0; i + 1 < symbols.Count; i++)
                {
                    var key = ((long)symbols[i] << 32) | (uint)symbols[i + 1];
                    pairs[key] = pairs.GetValueOrDefault(key) + count;
                }
            }

            // Most frequent pair; ties broken by the pair's text so training is deterministic.
            long bestKey = -1, bestCount = 1;
            foreach (var (key, count) in pairs)
            {
                if (count > bestCount || (count == bestCount && bestKey >= 0 && Compare(key, bestKey) < 0))
                {
                    (bestKey, bestCount) = (key, count);
                }
            }

            if (bestKey < 0)
            {
                break;
            }

            int a = (int)(bestKey >> 32), b = (int)(bestKey & 0xffffffff);
            var merged = Id(names[a] + names[b]);
            merges.Add((names[a], names[b]));
            foreach (var (symbols, _) in corpus)
            {
                for (var i = 0; i + 1 < symbols.Count; i++)
                {
                    if (symbols[i] == a && symbols[i + 1] == b)
                    {
                        symbols[i] = merged;
                        symbols.RemoveAt(i + 1);
                    }
                }
            }
        }

        return merges;

        int Compare(long x, long y)
        {
            var first = string.CompareOrdinal(names[(int)(x >> 32)], names[(int)(y >> 32)]);
            return first != 0 ? first : string.CompareOrdinal(names[(int)(x & 0xffffffff)], names[(int)(y & 0xffffffff)]);
        }
    }

    private static JsonObject TokenizerJson(JsonObject vocab, List<(string A, string B)> merges, IReadOnlyList<string> specialTokens, string? bos)
    {
        var added = new JsonArray();
        for (var i = 0; i < specialTokens.Count; i++)
        {
            added.Add(new JsonObject
            {
                ["id"] = i, ["content"] = specialTokens[i], ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false,
                ["normalized"] = false, ["special"] = true,
            });
        }

        JsonNode? postProcessor = bos is null
            ? new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = false, ["use_regex"] = true }
            : new JsonObject
            {
                ["type"] = "TemplateProcessing",
                ["single"] = new JsonArray(new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = bos, ["type_id"] = 0 } },
                    new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } }),
                ["pair"] = new JsonArray(new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = bos, ["type_id"] = 0 } },
                    new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } },
                    new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = bos, ["type_id"] = 1 } },
                    new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "B", ["type_id"] = 1 } }),
                ["special_tokens"] = new JsonObject
                {
                    [bos] = new JsonObject { ["id"] = bos, ["ids"] = new JsonArray(vocab[bos]!.GetValue<int>()), ["tokens"] = new JsonArray(bos) },
                },
            };
        return new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = added,
            ["normalizer"] = null,
            ["pre_tokenizer"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = true },
            ["post_processor"] = postProcessor,
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = true, ["use_regex"] = true },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["continuing_subword_prefix"] = null, ["end_of_word_suffix"] = null,
                ["fuse_unk"] = false, ["byte_fallback"] = false, ["ignore_merges"] = false,
                ["vocab"] = vocab,
                ["merges"] = new JsonArray(merges.Select(m => (JsonNode?)new JsonArray(m.A, m.B)).ToArray()),
            },
        };
    }

    /// <summary>GPT-2's reversible byte → printable character table.</summary>
    internal static char[] ByteToChar()
    {
        var printable = Enumerable.Range('!', '~' - '!' + 1).Concat(Enumerable.Range('¡', '¬' - '¡' + 1)).Concat(Enumerable.Range('®', 'ÿ' - '®' + 1)).ToHashSet();
        var table = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            table[b] = printable.Contains(b) ? (char)b : (char)next++;
        }

        return table;
    }
}
