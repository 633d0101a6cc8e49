using System.Text.Json.Nodes;
using FluentAssertions;
using Peft.Tests.Support;
using Peft.Tokenization;
using Xunit;
using static Peft.Tests.Tokenization.TinyLlama3Tokenizer;

namespace Peft.Tests.Tokenization;

/// <summary>tokenizer_config.json, special_tokens_map.json, chat templates and generation_config.json in their real variants.</summary>
public sealed class TokenizerConfigTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Folder(JsonObject? config, Action<string>? extra = null)
    {
        var folder = Path.Combine(_dir.Path, Guid.NewGuid().ToString("N"));
        Write(folder);
        File.Delete(Path.Combine(folder, "generation_config.json"));
        if (config is null)
        {
            File.Delete(Path.Combine(folder, "tokenizer_config.json"));
        }
        else
        {
            TokenizerFolders.WriteJson(Path.Combine(folder, "tokenizer_config.json"), config);
        }

        extra?.Invoke(folder);
        return folder;
    }

    private static JsonObject TokenObject(string content) => new()
    {
        ["__type"] = "AddedToken", ["content"] = content, ["lstrip"] = false, ["normalized"] = false, ["rstrip"] = false, ["single_word"] = false,
    };

    [Fact]
    public void Special_tokens_as_strings_or_objects_are_the_same()
    {
        var strings = PretrainedTokenizer.FromPretrained(Folder(new JsonObject
        {
            ["bos_token"] = "<|begin_of_text|>", ["eos_token"] = "<|eot_id|>", ["pad_token"] = "<|end_of_text|>", ["unk_token"] = null,
        }));
        var objects = PretrainedTokenizer.FromPretrained(Folder(new JsonObject
        {
            ["bos_token"] = TokenObject("<|begin_of_text|>"), ["eos_token"] = TokenObject("<|eot_id|>"), ["pad_token"] = TokenObject("<|end_of_text|>"),
        }));
        foreach (var t in new[] { strings, objects })
        {
            (t.BosToken, t.BosTokenId, t.EosToken, t.EosTokenId, t.PadToken, t.PadTokenId, t.UnkToken, t.UnkTokenId)
                .Should().Be(("<|begin_of_text|>", BeginOfText, "<|eot_id|>", EotId, "<|end_of_text|>", EndOfText, null, null));
        }
    }

    [Fact]
    public void Missing_pad_token_stays_null_and_padding_then_asks_for_one()
    {
        var tokenizer = PretrainedTokenizer.FromPretrained(Folder(new JsonObject { ["eos_token"] = "<|eot_id|>" }));
        tokenizer.PadToken.Should().BeNull();
        tokenizer.PadTokenId.Should().BeNull();
        var pad = () => tokenizer.EncodeBatch(["a", "bb"], new BatchEncodeOptions { Padding = PaddingStrategy.Longest });
        pad.Should().Throw<InvalidOperationException>().WithMessage("*no pad token*TokenizerLoadOptions.PadToken*do not silently reuse EOS*");

        var chosen = PretrainedTokenizer.FromPretrained(Folder(new JsonObject()), new TokenizerLoadOptions { PadToken = "<|end_of_text|>" });
        chosen.PadTokenId.Should().Be(EndOfText);

        var unknown = () => PretrainedTokenizer.FromPretrained(Folder(new JsonObject()), new TokenizerLoadOptions { PadToken = "<pad>" });
        unknown.Should().Throw<ArgumentException>().WithMessage("*'<pad>' is not in the vocabulary*");
    }

    [Fact]
    public void A_pad_token_missing_from_the_vocabulary_has_no_id()
    {
        var tokenizer = PretrainedTokenizer.FromPretrained(Folder(new JsonObject { ["pad_token"] = "<pad>" }));
        tokenizer.PadToken.Should().Be("<pad>");
        tokenizer.PadTokenId.Should().BeNull();
        var pad = () => tokenizer.EncodeBatch(["a"], new BatchEncodeOptions { Padding = PaddingStrategy.Longest });
        pad.Should().Throw<InvalidOperationException>().WithMessage("*'<pad>' is not in the vocabulary*");
    }

    [Fact]
    public void Chat_template_as_a_list_of_named_templates()
    {
        var tokenizer = PretrainedTokenizer.FromPretrained(Folder(new JsonObject
        {
            ["chat_template"] = new JsonArray(
                new JsonObject { ["name"] = "default", ["template"] = "{{ messages }}" },
                new JsonObject { ["name"] = "tool_use", ["template"] = "{{ tools }}" }),
        }));
        tokenizer.ChatTemplate.Should().Be("{{ messages }}");
        tokenizer.ChatTemplates.Should().BeEquivalentTo(new Dictionary<string, string> { ["default"] = "{{ messages }}", ["tool_use"] = "{{ tools }}" });
    }

    [Fact]
    public void Chat_template_files_and_no_template()
    {
        var none = PretrainedTokenizer.FromPretrained(Folder(config: null));
        none.ChatTemplate.Should().BeNull();
        none.ChatTemplates.Should().BeEmpty();

        var files = PretrainedTokenizer.FromPretrained(Folder(new JsonObject { ["chat_template"] = "old" }, f =>
        {
            TokenizerFolders.WriteText(Path.Combine(f, "chat_template.jinja"), "{% for m in messages %}{{ m.content }}{% endfor %}");
            TokenizerFolders.WriteText(Path.Combine(f, "additional_chat_templates", "rag.jinja"), "{{ documents }}");
        }));
        files.ChatTemplate.Should().Be("{% for m in messages %}{{ m.content }}{% endfor %}", "chat_template.jinja wins over the config string");
        files.ChatTemplates["rag"].Should().Be("{{ documents }}");
    }

    [Fact]
    public void Special_tokens_map_overrides_the_config_and_generation_config_adds_eos_ids()
    {
        var tokenizer = PretrainedTokenizer.FromPretrained(Folder(new JsonObject { ["eos_token"] = "<|end_of_text|>" }, f =>
        {
            TokenizerFolders.WriteJson(Path.Combine(f, "special_tokens_map.json"), new JsonObject { ["eos_token"] = TokenObject("<|eot_id|>") });
            TokenizerFolders.WriteJson(Path.Combine(f, "generation_config.json"), new JsonObject { ["eos_token_id"] = EndOfText });
        }));
        tokenizer.EosToken.Should().Be("<|eot_id|>");
        tokenizer.EosTokenIds.Should().Equal(EotId, EndOfText);
    }

    [Fact]
    public void Lengths_sides_and_limits()
    {
        var tokenizer = PretrainedTokenizer.FromPretrained(Folder(new JsonObject
        {
            ["model_max_length"] = 2048, ["padding_side"] = "left", ["truncation_side"] = "left",
        }));
        tokenizer.ModelMaxLength.Should().Be(2048);
        tokenizer.PaddingSide.Should().Be(PaddingSide.Left);
        tokenizer.TruncationSide.Should().Be(TruncationSide.Left);
        tokenizer.CleanUpTokenizationSpaces.Should().BeFalse("absent means false, as in current transformers");
    }

    [Theory]
    [InlineData("LlamaTokenizerFast", null, null, new[] { BeginOfText }, new int[0])]
    [InlineData("LlamaTokenizerFast", false, null, new int[0], new int[0])]
    [InlineData("LlamaTokenizerFast", true, true, new[] { BeginOfText }, new[] { EotId })]
    [InlineData("PreTrainedTokenizerFast", null, null, new[] { BeginOfText }, new int[0])]
    [InlineData("PreTrainedTokenizerFast", null, true, new[] { BeginOfText }, new[] { EotId })]
    [InlineData("PreTrainedTokenizerFast", false, null, new int[0], new int[0])]
    public void Add_bos_and_eos_token_rebuild_the_template(string tokenizerClass, bool? addBos, bool? addEos, int[] prefix, int[] suffix)
    {
        var config = new JsonObject { ["tokenizer_class"] = tokenizerClass, ["bos_token"] = "<|begin_of_text|>", ["eos_token"] = "<|eot_id|>" };
        if (addBos is { } b)
        {
            config["add_bos_token"] = b;
        }

        if (addEos is { } e)
        {
            config["add_eos_token"] = e;
        }

        var tokenizer = PretrainedTokenizer.FromPretrained(Folder(config));
        tokenizer.PostProcessorPrefixIds.Should().Equal(prefix);
        tokenizer.PostProcessorSuffixIds.Should().Equal(suffix);
        tokenizer.Encode("hi").Should().Equal(prefix.Concat(new[] { (int)'h', 'i' }).Concat(suffix));
    }

    [Fact]
    public void Load_options_override_bos_and_eos()
    {
        var tokenizer = PretrainedTokenizer.FromPretrained(Folder(new JsonObject { ["eos_token"] = "<|eot_id|>" }), new TokenizerLoadOptions { AddBosToken = false, AddEosToken = true });
        tokenizer.Encode("hi").Should().Equal('h', 'i', EotId);
    }

    [Fact]
    public void Added_tokens_decoder_and_additional_special_tokens_reach_a_sentencepiece_model()
    {
        var folder = Path.Combine(_dir.Path, "sp");
        TinyLlama2Tokenizer.WriteModel(folder);
        TokenizerFolders.WriteJson(Path.Combine(folder, "tokenizer_config.json"), new JsonObject
        {
            ["added_tokens_decoder"] = new JsonObject
            {
                ["1"] = new JsonObject { ["content"] = "<s>", ["lstrip"] = false, ["normalized"] = false, ["rstrip"] = false, ["single_word"] = false, ["special"] = true },
                ["291"] = new JsonObject { ["content"] = "<|user|>", ["lstrip"] = false, ["normalized"] = false, ["rstrip"] = true, ["single_word"] = false, ["special"] = true },
            },
            ["additional_special_tokens"] = new JsonArray("你"),
        });
        var tokenizer = PretrainedTokenizer.FromPretrained(folder);
        var ids = tokenizer.Encode("<|user|> hello", addSpecialTokens: false);
        // rstrip swallows the space; the rest gets its own dummy prefix; "he" outranks "▁h", so "▁hello" is never formed.
        ids.Should().Equal(291, TinyLlama2Tokenizer.Id("▁"), TinyLlama2Tokenizer.Id("he"), TinyLlama2Tokenizer.Id("llo"));
        tokenizer.IsSpecialToken(TinyLlama2Tokenizer.Id("你")).Should().BeTrue();
        tokenizer.Decode(tokenizer.Encode("hello 你"), skipSpecialTokens: true).Should().Be("hello ");
        tokenizer.VocabSizeWithAddedTokens.Should().Be(tokenizer.VocabSize + 1);
    }
}
