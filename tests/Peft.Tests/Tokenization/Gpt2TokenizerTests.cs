using FluentAssertions;
using Peft.Tests.Support;
using Peft.Tokenization;
using Xunit;
using static Peft.Tests.Tokenization.TokenizerFolders;

namespace Peft.Tests.Tokenization;

/// <summary>GPT-2's real BPE files, in every folder form, reproduce the ids of OpenAI's reference encoder.</summary>
public sealed class Gpt2TokenizerTests : IDisposable
{
    private static readonly Dictionary<(Gpt2Form, bool), PretrainedTokenizer> s_cache = new();
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Loads (once per form) GPT-2 written in <paramref name="form"/>; <paramref name="managed"/> forces the managed BPE.</summary>
    internal static PretrainedTokenizer Load(Gpt2Form form, bool managed = false)
    {
        lock (s_cache)
        {
            if (!s_cache.TryGetValue((form, managed), out var tokenizer))
            {
                var folder = Path.Combine(Path.GetTempPath(), "peft-tests-gpt2-" + Guid.NewGuid().ToString("N")[..12]);
                try
                {
                    WriteGpt2(folder, form);
                    tokenizer = PretrainedTokenizer.FromPretrained(folder, new TokenizerLoadOptions { ForceManagedBpe = managed });
                }
                finally
                {
                    Directory.Delete(folder, recursive: true);
                }

                s_cache[(form, managed)] = tokenizer;
            }

            return tokenizer;
        }
    }

    public static TheoryData<Gpt2Form, bool> Forms() => new()
    {
        { Gpt2Form.JsonStringMerges, false },
        { Gpt2Form.JsonPairMerges, false },
        { Gpt2Form.VocabAndMerges, false },
        { Gpt2Form.JsonStringMerges, true },
        { Gpt2Form.VocabAndMerges, true },
    };

    [Theory]
    [MemberData(nameof(Forms))]
    public void Every_reference_id_is_reproduced_and_decodes_back(Gpt2Form form, bool managed)
    {
        var tokenizer = Load(form, managed);
        var references = Gpt2References();
        references.Should().HaveCount(16);
        foreach (var (text, ids) in references)
        {
            tokenizer.Encode(text).Should().Equal(ids, $"ids of {text}");
            tokenizer.Decode(ids).Should().Be(text);
        }
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void Loads_the_vocabulary_and_the_endoftext_special_token(Gpt2Form form, bool managed)
    {
        var tokenizer = Load(form, managed);
        tokenizer.VocabSize.Should().Be(50257);
        tokenizer.VocabSizeWithAddedTokens.Should().Be(50257);
        tokenizer.TokenToId("Ġthe").Should().Be(262);
        tokenizer.IdToToken(995).Should().Be("Ġworld");
        tokenizer.IdToToken(50256).Should().Be("<|endoftext|>");
        tokenizer.IdToToken(50257).Should().BeNull();
        tokenizer.IsSpecialToken(50256).Should().BeTrue();
        tokenizer.PostProcessorPrefixIds.Should().BeEmpty("GPT-2 adds no BOS");
        tokenizer.Encode("hello<|endoftext|>", addSpecialTokens: true).Should().Equal(31373, 50256);
        tokenizer.Decode([31373, 50256], skipSpecialTokens: true).Should().Be("hello");
    }

    [Fact]
    public void The_legacy_pair_gets_transformers_default_special_tokens()
    {
        var tokenizer = Load(Gpt2Form.VocabAndMerges);
        tokenizer.Format.Should().Be(TokenizerFileFormat.VocabAndMerges);
        tokenizer.BosToken.Should().Be("<|endoftext|>");
        tokenizer.EosTokenId.Should().Be(50256);
        tokenizer.UnkTokenId.Should().Be(50256);
        tokenizer.PadToken.Should().BeNull();

        var json = Load(Gpt2Form.JsonStringMerges);
        json.Format.Should().Be(TokenizerFileFormat.TokenizerJson);
        json.EosToken.Should().BeNull("a bare tokenizer.json names no special tokens; tokenizer_config.json does");
    }

    [Fact]
    public void Split_special_tokens_encodes_them_as_plain_text()
    {
        WriteGpt2(_dir.Path, Gpt2Form.JsonStringMerges);
        var tokenizer = PretrainedTokenizer.FromPretrained(_dir.Path, new TokenizerLoadOptions { SplitSpecialTokens = true });
        tokenizer.Encode("<|endoftext|>").Should().Equal(27, 91, 437, 1659, 5239, 91, 29);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Offsets_point_into_the_input_text(bool managed)
    {
        var tokenizer = Load(Gpt2Form.JsonStringMerges, managed);
        var encoded = tokenizer.EncodeWithOffsets("Hello, world! 你好😀");
        encoded.Tokens.Should().Equal("Hello", ",", "Ġworld", "!", "Ġ", "ä½", "ł", "å¥", "½", "ðŁĺ", "Ģ");
        // Byte tokens of one character share its range; the emoji is a surrogate pair (2 chars).
        encoded.Offsets.Should().Equal((0, 5), (5, 6), (6, 12), (12, 13), (13, 14), (14, 15), (14, 15), (15, 16), (15, 16), (16, 18), (16, 18));
        encoded.SpecialTokensMask.Should().OnlyContain(s => !s);
        encoded.Ids.Should().Equal(tokenizer.Encode("Hello, world! 你好😀"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Concurrent_encoding_gives_the_same_ids(bool managed)
    {
        var tokenizer = Load(Gpt2Form.JsonStringMerges, managed);
        var stories = Gpt2ThroughputTests.Stories(200, seed: 11);
        var expected = stories.Select(s => tokenizer.Encode(s)).ToArray();
        var actual = new int[stories.Count][];
        Parallel.For(0, stories.Count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => actual[i] = tokenizer.Encode(stories[i]));
        actual.Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());
    }
}
