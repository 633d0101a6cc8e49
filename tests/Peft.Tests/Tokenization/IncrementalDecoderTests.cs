using System.Text.Json.Nodes;
using FluentAssertions;
using Peft.Tests.Support;
using Peft.Tokenization;
using Xunit;
using static Peft.Tests.Tokenization.TinyLlama2Tokenizer;

namespace Peft.Tests.Tokenization;

/// <summary>Streaming decode never splits a multi-byte character and keeps SentencePiece's spaces right.</summary>
public sealed class IncrementalDecoderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static List<string> PushAll(IncrementalDecoder decoder, IEnumerable<int> ids) => ids.Select(decoder.Push).ToList();

    [Fact]
    public void Byte_level_tokens_that_split_a_character_are_held_until_it_is_complete()
    {
        var gpt2 = Gpt2TokenizerTests.Load(Gpt2Form.JsonStringMerges);
        const string text = "Hi 你好，世界 😀 Café!";
        var ids = gpt2.Encode(text);
        var decoder = gpt2.CreateIncrementalDecoder();
        var pieces = PushAll(decoder, ids);
        pieces.Should().NotContain(p => p.Contains('\uFFFD'));
        string.Concat(pieces).Should().Be(text);
        decoder.Text.Should().Be(text);
        decoder.Flush().Should().BeEmpty();

        // "你" is two byte-level tokens: the first completes nothing, the second the whole character.
        var ni = gpt2.Encode("你");
        ni.Should().Equal(19526, 254);
        var fresh = gpt2.CreateIncrementalDecoder();
        fresh.Push(19526).Should().BeEmpty();
        fresh.Push(254).Should().Be("你");
    }

    [Fact]
    public void Byte_fallback_tokens_and_the_sentencepiece_leading_space()
    {
        WriteModel(_dir.Path);
        var tokenizer = PretrainedTokenizer.FromPretrained(_dir.Path);
        var prompt = tokenizer.Encode("Hello");
        var generated = tokenizer.Encode("world é 你好!", addSpecialTokens: false);
        generated.Should().Contain([Id("<0xC3>"), Id("<0xA9>")]);

        var decoder = tokenizer.CreateIncrementalDecoder(skipSpecialTokens: true, promptIds: prompt);
        var pieces = PushAll(decoder, generated.Append(2));
        pieces.Should().NotContain(p => p.Contains('\uFFFD'));
        generated[0].Should().Be(Id("▁world"));
        pieces[0].Should().Be(" world", "after the prompt the token's \"▁\" is a real space");
        string.Concat(pieces).Should().Be(tokenizer.Decode(prompt.Concat(generated).Append(2), skipSpecialTokens: true)["Hello".Length..]);
        pieces[^1].Should().BeEmpty("</s> is skipped");

        var noPrompt = tokenizer.CreateIncrementalDecoder();
        noPrompt.Push(Id("▁world")).Should().Be("world", "at the start of the text the dummy-prefix space is stripped, as Decode does");
    }

    [Fact]
    public void Flush_emits_an_incomplete_character_as_a_replacement()
    {
        WriteModel(_dir.Path);
        var tokenizer = PretrainedTokenizer.FromPretrained(_dir.Path);
        var decoder = tokenizer.CreateIncrementalDecoder();
        decoder.Push(Id("▁w")).Should().Be("w");
        decoder.Push(Id("<0xE4>")).Should().BeEmpty();
        decoder.Flush().Should().Be("\uFFFD");
        decoder.Push(Id("o")).Should().Be("o");
        decoder.Text.Should().Be("w\uFFFDo");
    }

    [Fact]
    public void Long_streams_match_a_full_decode()
    {
        var folder = Path.Combine(_dir.Path, "l3");
        TinyLlama3Tokenizer.Write(folder);
        TokenizerFolders.WriteJson(Path.Combine(folder, "tokenizer_config.json"), new JsonObject { ["bos_token"] = "<|begin_of_text|>" });
        var tokenizer = PretrainedTokenizer.FromPretrained(folder);
        var text = string.Concat(Enumerable.Repeat("Hello world, 1234 é 😀\n", 40));
        var ids = tokenizer.Encode(text);
        var decoder = tokenizer.CreateIncrementalDecoder();
        string.Concat(PushAll(decoder, ids)).Should().Be(tokenizer.Decode(ids));
    }
}
