using System.Text;
using System.Text.Json.Nodes;

namespace Peft.Tests.Tokenization;

/// <summary>
/// A tiny Llama-2-style SentencePiece BPE model written by hand as a <c>tokenizer.model</c> protobuf (pieces with
/// score and type, trainer_spec with model_type BPE and byte_fallback, an identity normalizer_spec), and the
/// <c>tokenizer.json</c> transformers' converter would write for it (merges ordered by the merged piece's score).
/// </summary>
internal static class TinyLlama2Tokenizer
{
    public const int Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Byte = 6;

    /// <summary>Normal pieces, highest score (merged first) first.</summary>
    private static readonly string[] s_normal =
    [
        "▁▁", "▁t", "he", "▁the", "ll", "llo", "▁H", "▁w", "or", "▁wor", "ld", "▁world", "▁He", "▁Hello", "▁h", "▁hello",
        "▁", "e", "l", "o", "h", "H", "w", "r", "d", "t", "a", "s", "n", "i", "c", "你",
    ];

    /// <summary>All pieces: &lt;unk&gt;, &lt;s&gt;, &lt;/s&gt;, the 256 byte pieces, then the normal pieces.</summary>
    public static IReadOnlyList<(string Piece, float Score, int Type)> Pieces()
    {
        var pieces = new List<(string, float, int)> { ("<unk>", 0, Unknown), ("<s>", 0, Control), ("</s>", 0, Control) };
        for (var b = 0; b < 256; b++)
        {
            pieces.Add(($"<0x{b:X2}>", 0, Byte));
        }

        for (var i = 0; i < s_normal.Length; i++)
        {
            pieces.Add((s_normal[i], -i, Normal));
        }

        return pieces;
    }

    public static int Id(string piece) => Pieces().Select((p, i) => (p.Piece, i)).First(p => p.Piece == piece).i;

    /// <summary>The serialized ModelProto.</summary>
    public static byte[] ModelBytes(bool addDummyPrefix = true, bool byteFallback = true) => Proto.ModelProto(Pieces(), byteFallback, addDummyPrefix);

    public static void WriteModel(string folder, bool addDummyPrefix = true)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "tokenizer.model"), ModelBytes(addDummyPrefix));
    }

    /// <summary>How the tokenizer.json expresses SentencePiece's whitespace handling.</summary>
    public enum JsonForm
    {
        /// <summary>normalizer Sequence[Prepend("▁"), Replace(" ", "▁")], no pre-tokenizer, decoder Sequence[Replace, ByteFallback, Fuse, Strip] (legacy Llama-2).</summary>
        PrependReplace,

        /// <summary>pre-tokenizer Metaspace(prepend_scheme "first", split false), decoder Metaspace (transformers' non-legacy converter).</summary>
        MetaspaceFirst,

        /// <summary>the oldest form: Metaspace with add_prefix_space true and no prepend_scheme.</summary>
        MetaspaceAddPrefixSpace,
    }

    public static void WriteJson(string folder, JsonForm form = JsonForm.PrependReplace)
    {
        var pieces = Pieces();
        var vocab = new JsonObject();
        for (var i = 0; i < pieces.Count; i++)
        {
            vocab[pieces[i].Piece] = i;
        }

        var ids = pieces.Select((p, i) => (p.Piece, i)).ToDictionary(p => p.Piece, p => p.i);
        var merges = new JsonArray();
        foreach (var (piece, _, type) in pieces.OrderByDescending(p => p.Score))
        {
            if (type != Normal || piece.Length < 2)
            {
                continue;
            }

            var splits = Enumerable.Range(1, piece.Length - 1)
                .Select(k => (Left: piece[..k], Right: piece[k..]))
                .Where(s => ids.ContainsKey(s.Left) && ids.ContainsKey(s.Right))
                .OrderBy(s => ids[s.Left]).ThenBy(s => ids[s.Right]);
            foreach (var (left, right) in splits)
            {
                merges.Add(new JsonArray(left, right));
            }
        }

        JsonNode? normalizer = null;
        JsonNode? preTokenizer = null;
        JsonNode decoder;
        if (form == JsonForm.PrependReplace)
        {
            normalizer = new JsonObject
            {
                ["type"] = "Sequence",
                ["normalizers"] = new JsonArray(
                    new JsonObject { ["type"] = "Prepend", ["prepend"] = "▁" },
                    new JsonObject { ["type"] = "Replace", ["pattern"] = new JsonObject { ["String"] = " " }, ["content"] = "▁" }),
            };
            decoder = new JsonObject
            {
                ["type"] = "Sequence",
                ["decoders"] = new JsonArray(
                    new JsonObject { ["type"] = "Replace", ["pattern"] = new JsonObject { ["String"] = "▁" }, ["content"] = " " },
                    new JsonObject { ["type"] = "ByteFallback" },
                    new JsonObject { ["type"] = "Fuse" },
                    new JsonObject { ["type"] = "Strip", ["content"] = " ", ["start"] = 1, ["stop"] = 0 }),
            };
        }
        else
        {
            JsonObject Metaspace() => form == JsonForm.MetaspaceFirst
                ? new JsonObject { ["type"] = "Metaspace", ["replacement"] = "▁", ["prepend_scheme"] = "first", ["split"] = false }
                : new JsonObject { ["type"] = "Metaspace", ["replacement"] = "▁", ["add_prefix_space"] = true };
            preTokenizer = Metaspace();
            decoder = new JsonObject
            {
                ["type"] = "Sequence",
                ["decoders"] = new JsonArray(Metaspace(), new JsonObject { ["type"] = "ByteFallback" }, new JsonObject { ["type"] = "Fuse" }),
            };
        }

        var json = new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = new JsonArray(
                TokenizerFolders.AddedToken(0, "<unk>", special: true),
                TokenizerFolders.AddedToken(1, "<s>", special: true),
                TokenizerFolders.AddedToken(2, "</s>", special: true)),
            ["normalizer"] = normalizer,
            ["pre_tokenizer"] = preTokenizer,
            ["post_processor"] = new JsonObject
            {
                ["type"] = "TemplateProcessing",
                ["single"] = new JsonArray(
                    new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = "<s>", ["type_id"] = 0 } },
                    new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } }),
                ["pair"] = new JsonArray(),
                ["special_tokens"] = new JsonObject { ["<s>"] = new JsonObject { ["id"] = "<s>", ["ids"] = new JsonArray(1), ["tokens"] = new JsonArray("<s>") } },
            },
            ["decoder"] = decoder,
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["dropout"] = null,
                ["unk_token"] = "<unk>",
                ["continuing_subword_prefix"] = null,
                ["end_of_word_suffix"] = null,
                ["fuse_unk"] = true,
                ["byte_fallback"] = true,
                ["vocab"] = vocab,
                ["merges"] = merges,
            },
        };
        TokenizerFolders.WriteJson(Path.Combine(folder, "tokenizer.json"), json);
    }

    /// <summary>A minimal protobuf writer for SentencePiece's ModelProto.</summary>
    internal static class Proto
    {
        public static byte[] ModelProto(IReadOnlyList<(string Piece, float Score, int Type)> pieces, bool byteFallback, bool addDummyPrefix, int modelType = 2)
        {
            var model = new MemoryStream();
            foreach (var (piece, score, type) in pieces)
            {
                var p = new MemoryStream();
                Bytes(p, 1, Encoding.UTF8.GetBytes(piece));
                Tag(p, 2, 5);
                p.Write(BitConverter.GetBytes(score));
                Tag(p, 3, 0);
                Varint(p, (ulong)type);
                Bytes(model, 1, p.ToArray());
            }

            var trainer = new MemoryStream();
            Field(trainer, 3, (ulong)modelType); // 1 = Unigram, 2 = BPE
            Field(trainer, 35, byteFallback ? 1UL : 0UL);
            Field(trainer, 40, 0); // unk_id
            Field(trainer, 41, 1); // bos_id
            Field(trainer, 42, 2); // eos_id
            Field(trainer, 43, unchecked((ulong)-1L)); // pad_id = -1 (disabled), a 10-byte varint
            Bytes(model, 2, trainer.ToArray());

            var normalizer = new MemoryStream();
            Bytes(normalizer, 1, Encoding.UTF8.GetBytes("identity"));
            Field(normalizer, 3, addDummyPrefix ? 1UL : 0UL);
            Field(normalizer, 4, 0); // remove_extra_whitespaces = false (Llama-2)
            Field(normalizer, 5, 1); // escape_whitespaces
            Bytes(model, 3, normalizer.ToArray());
            return model.ToArray();
        }

        private static void Field(Stream s, int field, ulong value)
        {
            Tag(s, field, 0);
            Varint(s, value);
        }

        private static void Bytes(Stream s, int field, byte[] bytes)
        {
            Tag(s, field, 2);
            Varint(s, (ulong)bytes.Length);
            s.Write(bytes);
        }

        private static void Tag(Stream s, int field, int wire) => Varint(s, (ulong)((field << 3) | wire));

        private static void Varint(Stream s, ulong value)
        {
            while (value >= 0x80)
            {
                s.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }

            s.WriteByte((byte)value);
        }
    }
}
