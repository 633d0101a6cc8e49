using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Peft.Tests.Support;

namespace Peft.Tests.Tokenization;

/// <summary>The three ways GPT-2's files are written for the tests.</summary>
public enum Gpt2Form
{
    JsonStringMerges,
    JsonPairMerges,
    VocabAndMerges,
}

/// <summary>Builds tokenizer folders for the tests: GPT-2 from the copied files, and tiny Llama-2/Llama-3-style ones by hand.</summary>
internal static class TokenizerFolders
{
    public static string Gpt2File(string name) => TestData.File("tokenizers", "gpt2", name);

    /// <summary>The 16 strings of reference_ids.json with the ids OpenAI's reference encoder gives.</summary>
    public static IReadOnlyList<(string Text, int[] Ids)> Gpt2References()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Gpt2File("reference_ids.json")));
        return document.RootElement.GetProperty("cases").EnumerateArray()
            .Select(c => (c.GetProperty("text").GetString()!, c.GetProperty("ids").EnumerateArray().Select(i => i.GetInt32()).ToArray()))
            .ToArray();
    }

    /// <summary>Writes GPT-2 as a tokenizer.json (either merges form, as transformers saves it) or as vocab.json + merges.txt.</summary>
    public static void WriteGpt2(string folder, Gpt2Form form)
    {
        Directory.CreateDirectory(folder);
        if (form == Gpt2Form.VocabAndMerges)
        {
            File.Copy(Gpt2File("encoder.json"), Path.Combine(folder, "vocab.json"));
            File.Copy(Gpt2File("vocab.bpe"), Path.Combine(folder, "merges.txt"));
            return;
        }

        var vocab = JsonNode.Parse(File.ReadAllText(Gpt2File("encoder.json")))!.AsObject();
        var merges = new JsonArray();
        foreach (var line in File.ReadLines(Gpt2File("vocab.bpe")).Skip(1).Where(l => l.Length > 0))
        {
            var parts = line.Split(' ');
            merges.Add(form == Gpt2Form.JsonPairMerges ? new JsonArray(parts[0], parts[1]) : (JsonNode)line);
        }

        var byteLevel = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = true };
        var json = new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new JsonArray(AddedToken(50256, "<|endoftext|>", special: true, normalized: true)),
            ["normalizer"] = null,
            ["pre_tokenizer"] = byteLevel.DeepClone(),
            ["post_processor"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = false, ["use_regex"] = true },
            ["decoder"] = byteLevel.DeepClone(),
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["dropout"] = null,
                ["unk_token"] = null,
                ["continuing_subword_prefix"] = "",
                ["end_of_word_suffix"] = "",
                ["fuse_unk"] = false,
                ["byte_fallback"] = false,
                ["vocab"] = vocab,
                ["merges"] = merges,
            },
        };
        WriteJson(Path.Combine(folder, "tokenizer.json"), json);
    }

    public static JsonObject AddedToken(int id, string content, bool special, bool normalized = false, bool lstrip = false, bool rstrip = false, bool singleWord = false) => new()
    {
        ["id"] = id,
        ["content"] = content,
        ["single_word"] = singleWord,
        ["lstrip"] = lstrip,
        ["rstrip"] = rstrip,
        ["normalized"] = normalized,
        ["special"] = special,
    };

    public static void WriteJson(string path, JsonNode node)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, node.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    }

    public static void WriteText(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text, new UTF8Encoding(false));
    }
}
