using FluentAssertions;
using Peft.Data;
using Peft.Tests.Support;
using Peft.Tokenization;
using Xunit;

namespace Peft.Tests.Tokenization;

public sealed class PretrainedTokenizerChatTests
{
    private const string ChatMl =
        "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}{% endfor %}"
        + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

    private static PretrainedTokenizer Train(TempDirectory dir, string? template = ChatMl)
    {
        ByteLevelBpeTrainer.Train(new[] { "hello there, how are you? I am fine, thank you." }, 300, dir.Path,
            new[] { "<|endoftext|>", "<|im_start|>", "<|im_end|>" }, bosToken: null, eosToken: "<|im_end|>", padToken: "<|endoftext|>", chatTemplate: template);
        return PretrainedTokenizer.FromPretrained(dir.Path);
    }

    [Fact]
    public void RendersWithTheTemplateFromTokenizerConfig()
    {
        using var dir = new TempDirectory();
        var tokenizer = Train(dir);
        var text = tokenizer.ApplyChatTemplate(new[] { ChatMessage.User("hi") }, addGenerationPrompt: true);
        text.Should().Be("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n");
        tokenizer.SpecialTokensMap.Should().Contain("eos_token", "<|im_end|>").And.NotContainKey("bos_token");
    }

    [Fact]
    public void CollatorTrainsOnlyTheAssistantReplyOfARealTemplate()
    {
        using var dir = new TempDirectory();
        var tokenizer = Train(dir);
        var collator = new SftCollator(tokenizer, renderChat: (m, g) => tokenizer.ApplyChatTemplate(m, g));
        var example = collator.Tokenize(SftExample.FromMessages(new[] { ChatMessage.User("how are you?"), ChatMessage.Assistant("I am fine") }));

        var trained = example.InputIds.Zip(example.Labels).Where(p => p.Second != SftCollator.IgnoreIndex).Select(p => (int)p.First).ToArray();
        tokenizer.Decode(trained).Should().Be("I am fine<|im_end|>\n", "the reply, its end-of-turn token and the template's newline carry the loss");
        tokenizer.Decode(example.InputIds.Select(i => (int)i)).Should().Be("<|im_start|>user\nhow are you?<|im_end|>\n<|im_start|>assistant\nI am fine<|im_end|>\n");
    }

    [Fact]
    public void NoTemplateIsAClearError()
    {
        using var dir = new TempDirectory();
        var tokenizer = Train(dir, template: null);
        var act = () => tokenizer.ApplyChatTemplate(new[] { ChatMessage.User("hi") });
        act.Should().Throw<InvalidOperationException>().WithMessage("*has no chat template*");
    }
}
