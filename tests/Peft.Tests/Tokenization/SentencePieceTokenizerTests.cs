using System.Text.Json.Nodes;
using FluentAssertions;
using Peft.Tests.Support;
using Peft.Tokenization;
using Xunit;
using static Peft.Tests.Tokenization.TinyLlama2Tokenizer;

namespace Peft.Tests.Tokenization;

/// <summary>
/// A Llama-2-style SentencePiece model gives the same ids through Microsoft.ML.Tokenizers (tokenizer.model) and
/// through the managed byte-fallback BPE (tokenizer.json), and decodes back to the input.
/// </summary>
public sealed class SentencePieceTokenizerTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Texts on which SentencePiece and every tokenizer.json form agree.</summary>
    public static readonly string[] Texts =
    [
        "Hello world", "hello the world", "Hello 你好 é!", "trailing space ", "", "\t tab", "the 😀 emoji",
        "Hello</s>world<s>", "line\nbreak",
    ];

    /// <summary>Texts with leading or repeated spaces, where Metaspace pre-tokenizers differ from SentencePiece.</summary>
    public static readonly string[] SpaceTexts = [" Hello  world", "   ", "a  b", "  "];

    private PretrainedTokenizer Load(string name, Action<string> write, bool legacy = true, TokenizerLoadOptions? options = null)
    {
        var folder = Path.Combine(_dir.Path, name);
        Directory.CreateDirectory(folder);
        write(folder);
        TokenizerFolders.WriteJson(Path.Combine(folder, "tokenizer_config.json"), new JsonObject
        {
            ["add_bos_token"] = true,
            ["add_eos_token"] = false,
            ["bos_token"] = new JsonObject { ["__type"] = "AddedToken", ["content"] = "<s>", ["lstrip"] = false, ["normalized"] = false, ["rstrip"] = false, ["single_word"] = false },
            ["eos_token"] = "</s>",
            ["unk_token"] = "<unk>",
            ["pad_token"] = null,
            ["legacy"] = legacy,
            ["tokenizer_class"] = "LlamaTokenizer",
        });
        return PretrainedTokenizer.FromPretrained(folder, options);
    }

    [Fact]
    public void Hand_checked_ids()
    {
        var tokenizer = Load("sp", f => WriteModel(f));
        tokenizer.Format.Should().Be(TokenizerFileFormat.SentencePieceModel);
        int B(int b) => 3 + b; // <0x00> is piece 3
        tokenizer.Encode("Hello world").Should().Equal(1, Id("▁Hello"), Id("▁world"));
        tokenizer.Encode(" Hello  world").Should().Equal(1, Id("▁▁"), Id("H"), Id("e"), Id("llo"), Id("▁▁"), Id("w"), Id("or"), Id("ld"));
        tokenizer.Encode("Hello 你好 é!").Should().Equal(
            1, Id("▁Hello"), Id("▁"), Id("你"), B(0xE5), B(0xA5), B(0xBD), Id("▁"), B(0xC3), B(0xA9), B(0x21));
        tokenizer.Encode("   ", addSpecialTokens: false).Should().Equal(Id("▁▁"), Id("▁▁"));
        tokenizer.Encode("Hello</s>world").Should().Equal(1, Id("▁Hello"), 2, Id("▁world"));
    }

    [Fact]
    public void Tokenizer_model_and_tokenizer_json_give_the_same_ids_and_round_trip()
    {
        var model = Load("sp", f => WriteModel(f));
        var json = Load("json", f => WriteJson(f));
        model.Format.Should().Be(TokenizerFileFormat.SentencePieceModel);
        json.Format.Should().Be(TokenizerFileFormat.TokenizerJson);
        foreach (var text in Texts.Concat(SpaceTexts))
        {
            var ids = model.Encode(text);
            json.Encode(text).Should().Equal(ids, $"ids of \"{text}\"");
            json.Decode(ids).Should().Be(model.Decode(ids));
            if (!text.Contains("<s>", StringComparison.Ordinal))
            {
                model.Decode(ids, skipSpecialTokens: true).Should().Be(text);
                json.Decode(ids, skipSpecialTokens: true).Should().Be(text);
            }
        }

        // Legacy Llama-2: the text after a special token gets its own dummy prefix, which decodes as a space.
        json.Decode(json.Encode("Hello</s>world<s>"), skipSpecialTokens: true).Should().Be("Hello world");
        json.Decode(json.Encode("Hello</s>world<s>")).Should().Be("<s> Hello</s> world<s>");
    }

    [Fact]
    public void Non_legacy_metaspace_json_matches_the_model_with_legacy_false()
    {
        var model = Load("sp", f => WriteModel(f), legacy: false);
        var json = Load("json", f => WriteJson(f, JsonForm.MetaspaceFirst), legacy: false);
        foreach (var text in Texts)
        {
            json.Encode(text).Should().Equal(model.Encode(text), $"ids of \"{text}\"");
        }

        // No dummy prefix after a special token in non-legacy mode.
        model.Encode("Hello</s>world").Should().Equal(1, Id("▁Hello"), 2, Id("w"), Id("or"), Id("ld"));

        // Metaspace prepends "▁" only when the text does not already start with a space (SentencePiece always does).
        json.Encode(" Hello  world").Should().Equal(1, Id("▁Hello"), Id("▁▁"), Id("w"), Id("or"), Id("ld"));
        model.Encode(" Hello  world").Should().Equal(1, Id("▁▁"), Id("H"), Id("e"), Id("llo"), Id("▁▁"), Id("w"), Id("or"), Id("ld"));
        json.Decode(json.Encode("Hello world 你好")).Should().Be("<s> Hello world 你好");
    }

    [Fact]
    public void Oldest_metaspace_form_prepends_everywhere_like_legacy()
    {
        var model = Load("sp", f => WriteModel(f), legacy: true);
        var json = Load("json", f => WriteJson(f, JsonForm.MetaspaceAddPrefixSpace), legacy: true);
        foreach (var text in Texts)
        {
            json.Encode(text).Should().Equal(model.Encode(text), $"ids of \"{text}\"");
        }

        // That form splits before every "▁" (split defaults to true), so "▁▁" is never formed.
        json.Encode(" Hello  world").Should().Equal(1, Id("▁Hello"), Id("▁"), Id("▁world"));
    }

    [Fact]
    public void Microsoft_ML_Tokenizers_sentencepiece_agrees_except_that_it_breaks_ties_rightmost_first()
    {
        var library = Load("lib", f => WriteModel(f), options: new TokenizerLoadOptions { ForceLibrarySentencePiece = true });
        var managed = Load("sp", f => WriteModel(f));
        foreach (var text in Texts.Append(" Hello  world"))
        {
            library.Encode(text).Should().Equal(managed.Encode(text), $"ids of \"{text}\"");
        }

        // "  " normalizes to "▁▁▁": SentencePiece (and transformers' converted tokenizer.json) merge the leftmost pair
        // first; Microsoft.ML.Tokenizers 2.0.1 merges the rightmost. If this starts failing, the library was fixed.
        managed.Encode("  ", addSpecialTokens: false).Should().Equal(Id("▁▁"), Id("▁"));
        library.Encode("  ", addSpecialTokens: false).Should().Equal(Id("▁"), Id("▁▁"));
    }

    [Fact]
    public void Tokenizer_json_is_preferred_unless_asked_otherwise()
    {
        void Both(string f)
        {
            WriteModel(f);
            WriteJson(f);
        }

        Load("both", Both).Format.Should().Be(TokenizerFileFormat.TokenizerJson);
        var slow = Load("both2", Both, options: new TokenizerLoadOptions { PreferSentencePieceModel = true });
        slow.Format.Should().Be(TokenizerFileFormat.SentencePieceModel);
        slow.SourceFile.Should().EndWith("tokenizer.model");
    }

    [Fact]
    public void Special_tokens_and_decoding()
    {
        var tokenizer = Load("sp", f => WriteModel(f));
        tokenizer.BosToken.Should().Be("<s>");
        tokenizer.BosTokenId.Should().Be(1);
        tokenizer.EosTokenId.Should().Be(2);
        tokenizer.EosTokenIds.Should().Equal(2);
        tokenizer.UnkTokenId.Should().Be(0);
        tokenizer.PadToken.Should().BeNull();
        tokenizer.PadTokenId.Should().BeNull();
        tokenizer.PostProcessorPrefixIds.Should().Equal(1);
        tokenizer.PostProcessorSuffixIds.Should().BeEmpty();
        tokenizer.VocabSize.Should().Be(3 + 256 + 32);
        tokenizer.IdToToken(Id("<0x41>")).Should().Be("<0x41>");

        var ids = tokenizer.Encode("Hello world");
        tokenizer.Decode(ids).Should().Be("<s> Hello world");
        tokenizer.Decode(ids, skipSpecialTokens: true).Should().Be("Hello world");
        tokenizer.Decode([Id("<0xE4>"), Id("<0xBD>")]).Should().Be("\uFFFD\uFFFD", "an incomplete UTF-8 sequence becomes one U+FFFD per byte");
    }

    [Fact]
    public void Offsets_map_back_through_the_dummy_prefix_and_byte_fallback()
    {
        foreach (var tokenizer in new[] { Load("sp", f => WriteModel(f)), Load("json", f => WriteJson(f)) })
        {
            var encoded = tokenizer.EncodeWithOffsets("Hi é");
            encoded.Tokens.Should().Equal("<s>", "▁H", "i", "▁", "<0xC3>", "<0xA9>");
            encoded.Offsets.Should().Equal((0, 0), (0, 1), (1, 2), (2, 3), (3, 4), (3, 4));
            encoded.SpecialTokensMask.Should().Equal(true, false, false, false, false, false);
        }
    }

    [Fact]
    public void A_unigram_model_runs_on_microsoft_ml_tokenizers()
    {
        // Unigram: the segmentation with the highest total log-probability wins.
        (string, float, int)[] pieces =
        [
            ("<unk>", 0, Unknown), ("<s>", 0, Control), ("</s>", 0, Control), ("▁", -3, Normal), ("▁he", -2, Normal),
            ("llo", -2, Normal), ("▁hello", -3, Normal), ("h", -5, Normal), ("e", -5, Normal), ("l", -5, Normal),
            ("o", -5, Normal), ("▁w", -4, Normal), ("orld", -2, Normal), ("▁world", -7, Normal), ("w", -5, Normal),
        ];
        var folder = Path.Combine(_dir.Path, "unigram");
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "tokenizer.model"), Proto.ModelProto(pieces, byteFallback: false, addDummyPrefix: true, modelType: 1));
        var tokenizer = PretrainedTokenizer.FromPretrained(folder);
        // ▁hello (-3) beats ▁he + llo (-4); ▁w + orld (-6) beats the whole piece ▁world (-7).
        tokenizer.Encode("hello world").Should().Equal(1, 6, 11, 12);
        tokenizer.Decode(tokenizer.Encode("hello world"), skipSpecialTokens: true).Should().Be("hello world");
    }
}
