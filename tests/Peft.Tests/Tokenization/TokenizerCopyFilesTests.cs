using FluentAssertions;
using Peft.Tests.Support;
using Peft.Tokenization;
using Xunit;

namespace Peft.Tests.Tokenization;

public sealed class TokenizerCopyFilesTests
{
    [Fact]
    public void CopiesWhatFromPretrainedReadsAndTheCopyLoadsTheSame()
    {
        using var source = new TempDirectory();
        using var target = new TempDirectory();
        ByteLevelBpeTrainer.Train(["hello there, how are you?"], 300, source.Path, ["<|endoftext|>", "<|im_end|>"], null, "<|im_end|>",
            chatTemplate: "{% for m in messages %}{{ m['content'] }}{% endfor %}");
        File.WriteAllText(source.File("chat_template.jinja"), "{{ messages[0]['content'] }}!");
        Directory.CreateDirectory(source.File("additional_chat_templates"));
        File.WriteAllText(source.File("additional_chat_templates/tool_use.jinja"), "tools");
        File.WriteAllText(source.File("config.json"), "{}"); // the model's, not copied

        var copied = PretrainedTokenizer.CopyFiles(source.Path, target.File("out"));

        copied.Should().Equal("tokenizer.json", "tokenizer_config.json", "chat_template.jinja", "additional_chat_templates/tool_use.jinja");
        File.Exists(target.File("out/config.json")).Should().BeFalse();
        var original = PretrainedTokenizer.FromPretrained(source.Path);
        var copy = PretrainedTokenizer.FromPretrained(target.File("out"));
        copy.Encode("hello there").Should().Equal(original.Encode("hello there"));
        copy.ChatTemplates.Should().BeEquivalentTo(original.ChatTemplates);
        copy.ApplyChatTemplate([ChatMessage.User("hi")]).Should().Be("hi!");
    }

    [Fact]
    public void MissingSourceFolderThrows()
    {
        var act = () => PretrainedTokenizer.CopyFiles("/no/such/folder", "/tmp/x");

        act.Should().Throw<DirectoryNotFoundException>().WithMessage("*'/no/such/folder' does not exist*");
    }
}
