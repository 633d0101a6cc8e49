using FluentAssertions;
using Peft.Tests.Support;
using Peft.Tokenization;
using Xunit;

namespace Peft.Tests.Tokenization;

public sealed class ByteLevelBpeTrainerTests
{
    private static readonly string[] Corpus =
    {
        "Once upon a time there was a little cat. The cat liked to play in the sun.",
        "One day the little dog saw the cat. The dog wanted to play too.",
        "They played all day and were happy. Café, naïve and 東京 still round-trip.",
    };

    [Fact]
    public void TrainsATokenizerThatLoadsAndRoundTrips()
    {
        using var dir = new TempDirectory();
        var merges = ByteLevelBpeTrainer.Train(Corpus, 320, dir.Path, new[] { "<|endoftext|>", "<|im_start|>", "<|im_end|>" },
            bosToken: "<|endoftext|>", eosToken: "<|im_end|>", padToken: "<|endoftext|>");

        merges.Should().BeGreaterThan(20).And.BeLessThanOrEqualTo(320 - 256 - 3);
        var tokenizer = PretrainedTokenizer.FromPretrained(dir.Path);
        tokenizer.BosTokenId.Should().Be(0);
        tokenizer.EosTokenId.Should().Be(2);
        tokenizer.PadTokenId.Should().Be(0);
        tokenizer.VocabSizeWithAddedTokens.Should().Be(256 + 3 + merges);

        foreach (var text in Corpus.Append("Unseen words: zebra quartz! <|im_end|>"))
        {
            var ids = tokenizer.Encode(text);
            ids[0].Should().Be(0, "the BOS token is added by the post-processor");
            tokenizer.Decode(ids, skipSpecialTokens: true).Should().Be(text.Replace("<|im_end|>", ""));
        }

        tokenizer.Encode("the cat", addSpecialTokens: false).Length.Should().BeLessThan("the cat".Length, "frequent words are merged");
        tokenizer.Encode("<|im_start|>hi", addSpecialTokens: false)[0].Should().Be(1, "special tokens are never split");
    }

    [Fact]
    public void TrainingIsDeterministic()
    {
        using var a = new TempDirectory();
        using var b = new TempDirectory();
        ByteLevelBpeTrainer.Train(Corpus, 300, a.Path, new[] { "<s>" }, "<s>", "<s>");
        ByteLevelBpeTrainer.Train(Corpus.ToList(), 300, b.Path, new[] { "<s>" }, "<s>", "<s>");
        File.ReadAllText(a.File("tokenizer.json")).Should().Be(File.ReadAllText(b.File("tokenizer.json")));
    }
}
