using System.Text.Json;
using FluentAssertions;
using Peft.Tests.Support;
using Peft.Tokenization.Templates;
using Xunit;

namespace Peft.Tests.Tokenization.Templates;

/// <summary>Loading chat templates from tokenizer_config.json, chat_template.jinja and chat_template.json.</summary>
public sealed class ChatTemplatesLoaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ReadsAStringTemplateFromTokenizerConfig()
    {
        File.WriteAllText(_dir.File("tokenizer_config.json"), """{"bos_token": "<s>", "chat_template": "{{ bos_token }}{{ messages[0].content }}"}""");

        var set = ChatTemplates.FromModelFolder(_dir.Path);

        set.Names.Should().Equal("default");
        set.Origin.Should().Be(_dir.File("tokenizer_config.json"));
        set.Default.Apply([Peft.Tokenization.ChatMessage.User("hi")], false, new Dictionary<string, string> { ["bos_token"] = "<s>" }).Should().Be("<s>hi");
    }

    [Fact]
    public void ReadsNamedTemplatesAndSelectsLikeTransformers()
    {
        File.WriteAllText(_dir.File("tokenizer_config.json"), """
            {"chat_template": [
              {"name": "default", "template": "D"},
              {"name": "tool_use", "template": "T"},
              {"name": "rag", "template": "R"}
            ]}
            """);

        var set = ChatTemplates.FromTokenizerConfig(_dir.File("tokenizer_config.json"));

        set.Names.Should().Equal("default", "tool_use", "rag");
        set.Select().Source.Should().Be("D");
        set.Select(hasTools: true).Source.Should().Be("T");
        set.Select("rag").Source.Should().Be("R");
        set.Get("rag").Name.Should().Be("rag");
        var missing = () => set.Get("nope");
        missing.Should().Throw<KeyNotFoundException>().WithMessage("No chat template named 'nope'*Available template names are ['default', 'rag', 'tool_use'].");
    }

    [Fact]
    public void WithoutADefaultSelectionNeedsAName()
    {
        File.WriteAllText(_dir.File("tokenizer_config.json"), """{"chat_template": [{"name": "a", "template": "A"}]}""");

        var act = () => ChatTemplates.FromModelFolder(_dir.Path).Select();

        act.Should().Throw<KeyNotFoundException>().WithMessage("*multiple chat templates with no default*['a']*");
    }

    [Fact]
    public void JinjaFileWinsAndAdditionalTemplatesAreNamed()
    {
        File.WriteAllText(_dir.File("tokenizer_config.json"), """{"chat_template": "from config"}""");
        File.WriteAllText(_dir.File("chat_template.jinja"), "from jinja\n");
        Directory.CreateDirectory(_dir.File("additional_chat_templates"));
        File.WriteAllText(Path.Combine(_dir.File("additional_chat_templates"), "tool_use.jinja"), "tools");

        var set = ChatTemplates.FromModelFolder(_dir.Path);

        set.Names.Should().Equal("default", "tool_use");
        set.Default.Render(new Dictionary<string, object?>()).Should().Be("from jinja");
        set.Select(hasTools: true).Source.Should().Be("tools");
    }

    [Fact]
    public void ReadsChatTemplateJson()
    {
        File.WriteAllText(_dir.File("chat_template.json"), """{"chat_template": "J"}""");

        ChatTemplates.FromModelFolder(_dir.Path).Default.Source.Should().Be("J");
    }

    [Fact]
    public void MissingTemplateListsWhatWasLookedFor()
    {
        File.WriteAllText(_dir.File("tokenizer_config.json"), """{"bos_token": "<s>"}""");

        var act = () => ChatTemplates.FromModelFolder(_dir.Path);

        act.Should().Throw<FileNotFoundException>()
            .WithMessage("No chat template found in '*': looked for chat_template.jinja, the \"chat_template\" key of tokenizer_config.json, and the \"chat_template\" key of chat_template.json.");
        ChatTemplates.FindInModelFolder(_dir.Path).Should().BeNull();
        var fromConfig = () => ChatTemplates.FromTokenizerConfig(_dir.File("tokenizer_config.json"));
        fromConfig.Should().Throw<KeyNotFoundException>().WithMessage("*has no \"chat_template\" key*");
    }

    [Theory]
    [InlineData("""{"chat_template": 5}""", "*\"chat_template\" must be a string or a list of {\"name\", \"template\"} objects; found Number.")]
    [InlineData("""{"chat_template": [{"name": "a"}]}""", "*\"chat_template\"[0] must be an object with string \"name\" and \"template\"; found {\"name\": \"a\"}.")]
    [InlineData("""{"chat_template": []}""", "*\"chat_template\" is an empty list.")]
    [InlineData("""{"chat_template": """, "*is not valid JSON*")]
    public void MalformedConfigNamesFileAndKey(string json, string pattern)
    {
        File.WriteAllText(_dir.File("tokenizer_config.json"), json);

        var act = () => ChatTemplates.FromModelFolder(_dir.Path);

        act.Should().Throw<InvalidDataException>().WithMessage(pattern).And.Message.Should().Contain("tokenizer_config.json");
    }

    [Fact]
    public void ReadsFromAnAlreadyParsedConfig()
    {
        using var doc = JsonDocument.Parse("""{"chat_template": "X"}""");

        ChatTemplates.FindInTokenizerConfig(doc.RootElement, "memory")!.Default.Source.Should().Be("X");
        using var none = JsonDocument.Parse("""{"chat_template": null}""");
        ChatTemplates.FindInTokenizerConfig(none.RootElement, "memory").Should().BeNull();
    }

    [Fact]
    public void MissingFolderIsReported()
    {
        var act = () => ChatTemplates.FromModelFolder(_dir.File("absent"));

        act.Should().Throw<DirectoryNotFoundException>().WithMessage("*absent*does not exist*");
    }

    [Fact]
    public void BrokenNamedTemplateFailsOnlyWhenUsed()
    {
        File.WriteAllText(_dir.File("tokenizer_config.json"), """{"chat_template": [{"name": "default", "template": "ok"}, {"name": "bad", "template": "{% if %}"}]}""");
        var set = ChatTemplates.FromModelFolder(_dir.Path);

        set.Default.Render(new Dictionary<string, object?>()).Should().Be("ok");
        var act = () => set.Get("bad");
        act.Should().Throw<ChatTemplateException>().Which.TemplateName.Should().Be("bad");
    }
}
