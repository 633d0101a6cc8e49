using FluentAssertions;
using Peft.Tests.Support;
using Peft.Tokenization;
using Xunit;
using static Peft.Tests.Tokenization.TinyLlama3Tokenizer;

namespace Peft.Tests.Tokenization;

/// <summary>A Llama-3-style tokenizer.json (Split regex + ByteLevel, ignore_merges, TemplateProcessing BOS) gives hand-checked ids.</summary>
public sealed class Llama3StyleTokenizerTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private PretrainedTokenizer Load(bool ignoreMerges = true, TokenizerLoadOptions? options = null)
    {
        var folder = Path.Combine(_dir.Path, Guid.NewGuid().ToString("N"));
        Write(folder, ignoreMerges);
        return PretrainedTokenizer.FromPretrained(folder, options);
    }

    public static TheoryData<bool> Backends() => new() { false, true };

    [Theory]
    [MemberData(nameof(Backends))]
    public void Hand_checked_ids(bool managed)
    {
        var tokenizer = Load(options: new TokenizerLoadOptions { ForceManagedBpe = managed });
        tokenizer.Encode("Hello world").Should().Equal(BeginOfText, Hello, SpaceWorld);
        tokenizer.Encode("Hello world", addSpecialTokens: false).Should().Equal(Hello, SpaceWorld);
        tokenizer.Encode("<|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>", addSpecialTokens: false)
            .Should().Equal(StartHeader, 'u', 's', 'e', 'r', EndHeader, '\n', '\n', 'h', 'i', EotId);

        // Llama-3's regex: contractions split off case-insensitively, digits in groups of at most three.
        tokenizer.Encode("DON'T don't", addSpecialTokens: false).Should().Equal('D', 'O', 'N', '\'', 'T', ' ', 'd', 'o', 'n', '\'', 't');
        tokenizer.Encode("1234", addSpecialTokens: false).Should().Equal(Twelve, '3', '4');
        tokenizer.Encode("é", addSpecialTokens: false).Should().Equal(0xC3, 0xA9);

        // ignore_merges: a piece that is a vocabulary token is used whole, though no merge leads to it.
        tokenizer.Encode(" hi", addSpecialTokens: false).Should().Equal(SpaceHi);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Without_ignore_merges_only_merges_apply(bool managed)
    {
        var tokenizer = Load(ignoreMerges: false, new TokenizerLoadOptions { ForceManagedBpe = managed });
        tokenizer.Encode(" hi", addSpecialTokens: false).Should().Equal(' ', 'h', 'i');
        tokenizer.Encode("hello", addSpecialTokens: false).Should().Equal(HelloLower);
    }

    [Fact]
    public void Special_tokens_are_never_split_and_decode_back()
    {
        var tokenizer = Load();
        var text = "<|begin_of_text|><|start_header_id|>assistant<|end_header_id|>\n\nHello world<|eot_id|>";
        var ids = tokenizer.Encode(text, addSpecialTokens: false);
        ids.Should().StartWith([BeginOfText, StartHeader]).And.EndWith([Hello, SpaceWorld, EotId]);
        ids.Should().HaveCount(2 + 9 + 1 + 2 + 3);
        tokenizer.Decode(ids).Should().Be(text);
        tokenizer.Decode(ids, skipSpecialTokens: true).Should().Be("assistant\n\nHello world");

        // A rendered chat template already starts with BOS: encoding it with special tokens doubles it.
        tokenizer.Encode(text).Should().StartWith([BeginOfText, BeginOfText]);
    }

    [Fact]
    public void Config_values_are_exposed()
    {
        var tokenizer = Load();
        tokenizer.BosToken.Should().Be("<|begin_of_text|>");
        tokenizer.BosTokenId.Should().Be(BeginOfText);
        tokenizer.EosToken.Should().Be("<|eot_id|>");
        tokenizer.EosTokenId.Should().Be(EotId);
        tokenizer.EosTokenIds.Should().Equal(EotId, EndOfText);
        tokenizer.PadTokenId.Should().BeNull();
        tokenizer.ModelMaxLength.Should().BeNull("1e30 means no limit");
        tokenizer.PostProcessorPrefixIds.Should().Equal(BeginOfText);
        tokenizer.ChatTemplate.Should().StartWith("{{ bos_token }}{% for m in messages %}");
        tokenizer.ChatTemplates.Keys.Should().Equal("default");
        tokenizer.VocabSize.Should().Be(270);
        tokenizer.VocabSizeWithAddedTokens.Should().Be(275);
        tokenizer.SpecialTokenIds.Should().BeEquivalentTo([BeginOfText, EndOfText, StartHeader, EndHeader, EotId]);
        tokenizer.TokenToId("<|eot_id|>").Should().Be(EotId);
        tokenizer.TokenToId("Ġworld").Should().Be(SpaceWorld);
    }

    [Fact]
    public void Clean_up_tokenization_spaces_follows_the_config()
    {
        var ids = Load().Encode("Hello , world !", addSpecialTokens: false);
        Load().Decode(ids).Should().Be("Hello, world!");
        Load(options: new TokenizerLoadOptions { CleanUpTokenizationSpaces = false }).Decode(ids).Should().Be("Hello , world !");
    }

    [Fact]
    public void Offsets_of_added_and_model_tokens()
    {
        var encoded = Load().EncodeWithOffsets("<|eot_id|>hi there");
        encoded.Ids.Should().Equal(BeginOfText, EotId, 'h', 'i', ' ', 't', 256 /* "he" */, 'r', 'e');
        encoded.Tokens.Should().Equal("<|begin_of_text|>", "<|eot_id|>", "h", "i", "Ġ", "t", "he", "r", "e");
        encoded.Offsets.Should().Equal((0, 0), (0, 10), (10, 11), (11, 12), (12, 13), (13, 14), (14, 16), (16, 17), (17, 18));
        encoded.SpecialTokensMask.Should().Equal(true, true, false, false, false, false, false, false, false);
    }
}
