using System.IO.Compression;
using System.Reflection;
using System.Text;
using System.Text.Json;
using FluentAssertions;
using Microsoft.ML.Tokenizers;
using Peft.Tests.Support;
using Peft.Tokenization;
using Peft.Tokenization.Pipeline;
using Xunit;

namespace Peft.Tests.Tokenization;

/// <summary>
/// OpenAI's cl100k/o200k ranks (Microsoft.ML.Tokenizers.Data packages), converted to a tokenizer.json the way
/// transformers converts tiktoken models (byte-level vocab, merges recovered from the ranks, Split regex +
/// ByteLevel, ignore_merges), encode exactly like Microsoft.ML.Tokenizers' independent TiktokenTokenizer.
/// </summary>
public sealed class TiktokenCrossCheckTests : IDisposable
{
    private const string Cl100kPattern = @"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s";

    private const string O200kPattern =
        @"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?" +
        @"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?" +
        @"|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    private static readonly string[] s_texts =
    [
        "Hello world", "I'm 12345 years old, aren't I?", "naïve café — “quotes” and ‘single’", "你好，世界！今天天气很好。",
        "😀👍🏽 emoji 🇫🇷 flags", "def foo(x):\n    return x**2  # comment\n", "   leading and trailing   ", "ÀÉÎ mixedCASE WordsLikeThis",
        "Здравствуй, мир", "مرحبا بالعالم", "don't DON'T They'LL", "\t\ttabs\r\nwindows\r\n\r\n", "https://example.com/path?q=1&r=2",
        "𝐀𝐁𝐂 bold 𝒙", "x𝐀y mixed", "日本語のテキストとカタカナ", "1,000,000.50 and 3.14159", "a" + new string(' ', 20) + "b", "",
    ];

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("Microsoft.ML.Tokenizers.Data.Cl100kBase", "cl100k_base.tiktoken.deflate", "gpt-4", Cl100kPattern)]
    [InlineData("Microsoft.ML.Tokenizers.Data.O200kBase", "o200k_base.tiktoken.deflate", "gpt-4o", O200kPattern)]
    public void Converted_tokenizer_json_matches_tiktoken(string assembly, string resource, string model, string pattern)
    {
        var ranks = ReadRanks(assembly, resource);
        WriteTokenizerJson(_dir.File("tokenizer.json"), ranks, pattern);
        var converted = PretrainedTokenizer.FromPretrained(_dir.Path);
        var tiktoken = TiktokenTokenizer.CreateForModel(model);
        converted.VocabSize.Should().Be(ranks.Count);

        var texts = s_texts.Concat(Gpt2ThroughputTests.Stories(40)).ToArray();
        foreach (var text in texts)
        {
            var ids = converted.Encode(text, addSpecialTokens: false);
            ids.Should().Equal(tiktoken.EncodeToIds(text), $"ids of \"{text}\"");
            converted.Decode(ids).Should().Be(text);
        }
    }

    /// <summary>
    /// The packaged ranks file: a "Capacity: N" header, then one base64 token per line (its rank is its line index),
    /// or "base64 rank" lines as in tiktoken's own files.
    /// </summary>
    private static List<(byte[] Bytes, int Rank)> ReadRanks(string assemblyName, string resource)
    {
        var assembly = Assembly.Load(assemblyName);
        using var stream = new DeflateStream(assembly.GetManifestResourceStream(resource)!, CompressionMode.Decompress);
        using var reader = new StreamReader(stream);
        var ranks = new List<(byte[], int)>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line.StartsWith("Capacity:", StringComparison.Ordinal))
            {
                continue;
            }

            var space = line.IndexOf(' ');
            ranks.Add(space < 0
                ? (Convert.FromBase64String(line), ranks.Count)
                : (Convert.FromBase64String(line[..space]), int.Parse(line[(space + 1)..], System.Globalization.CultureInfo.InvariantCulture)));
        }

        return ranks;
    }

    /// <summary>
    /// transformers' TikTokenConverter: each multi-byte token's merge is the last step of BPE over its own bytes
    /// using only lower ranks, which always leaves exactly two parts.
    /// </summary>
    private static void WriteTokenizerJson(string path, List<(byte[] Bytes, int Rank)> ranks, string pattern)
    {
        var byRank = ranks.OrderBy(r => r.Rank).Select(r => (Text: Map(r.Bytes), r.Rank)).ToList();
        var rankOf = byRank.ToDictionary(r => r.Text, r => r.Rank, StringComparer.Ordinal);
        var lookup = rankOf.GetAlternateLookup<ReadOnlySpan<char>>();
        var merges = new List<(string, string)>();
        var parts = new List<(int Start, int Length)>();
        foreach (var (text, rank) in byRank)
        {
            if (text.Length < 2)
            {
                continue;
            }

            parts.Clear();
            for (var i = 0; i < text.Length; i++)
            {
                parts.Add((i, 1));
            }

            while (true)
            {
                var best = -1;
                var bestRank = int.MaxValue;
                for (var i = 0; i + 1 < parts.Count; i++)
                {
                    if (lookup.TryGetValue(text.AsSpan(parts[i].Start, parts[i].Length + parts[i + 1].Length), out var r) && r < bestRank && r < rank)
                    {
                        best = i;
                        bestRank = r;
                    }
                }

                if (best < 0)
                {
                    break;
                }

                parts[best] = (parts[best].Start, parts[best].Length + parts[best + 1].Length);
                parts.RemoveAt(best + 1);
            }

            parts.Should().HaveCount(2, $"token {rank} must be the merge of two lower-ranked tokens");
            merges.Add((text.Substring(parts[0].Start, parts[0].Length), text.Substring(parts[1].Start, parts[1].Length)));
        }

        using var file = File.Create(path);
        using var json = new Utf8JsonWriter(file);
        json.WriteStartObject();
        json.WriteString("version", "1.0");
        json.WriteStartArray("added_tokens");
        json.WriteEndArray();
        json.WriteNull("normalizer");
        json.WriteStartObject("pre_tokenizer");
        json.WriteString("type", "Sequence");
        json.WriteStartArray("pretokenizers");
        json.WriteStartObject();
        json.WriteString("type", "Split");
        json.WriteStartObject("pattern");
        json.WriteString("Regex", pattern);
        json.WriteEndObject();
        json.WriteString("behavior", "Isolated");
        json.WriteBoolean("invert", false);
        json.WriteEndObject();
        json.WriteStartObject();
        json.WriteString("type", "ByteLevel");
        json.WriteBoolean("add_prefix_space", false);
        json.WriteBoolean("use_regex", false);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteNull("post_processor");
        json.WriteStartObject("decoder");
        json.WriteString("type", "ByteLevel");
        json.WriteEndObject();
        json.WriteStartObject("model");
        json.WriteString("type", "BPE");
        json.WriteBoolean("ignore_merges", true);
        json.WriteStartObject("vocab");
        foreach (var (text, rank) in byRank)
        {
            json.WriteNumber(text, rank);
        }

        json.WriteEndObject();
        json.WriteStartArray("merges");
        foreach (var (left, right) in merges)
        {
            json.WriteStartArray();
            json.WriteStringValue(left);
            json.WriteStringValue(right);
            json.WriteEndArray();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static string Map(byte[] bytes) => string.Concat(bytes.Select(b => ByteLevelAlphabet.ToChar(b)));
}
