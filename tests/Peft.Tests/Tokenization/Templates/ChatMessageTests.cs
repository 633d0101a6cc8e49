using System.Text.Json;
using FluentAssertions;
using Peft.Tokenization;
using Xunit;

namespace Peft.Tests.Tokenization.Templates;

/// <summary>ChatMessage reads dataset-style JSON messages and keeps extra fields.</summary>
public sealed class ChatMessageTests
{
    [Fact]
    public void ReadsRoleContentAndExtraFields()
    {
        using var doc = JsonDocument.Parse("""{"role": "tool", "content": "42", "tool_call_id": "abc123xyz", "name": "calc"}""");

        var message = ChatMessage.FromJson(doc.RootElement);

        message.Role.Should().Be("tool");
        message.Content.Should().Be("42");
        message.Extra.Should().NotBeNull();
        message.Extra!.Keys.Should().Equal("tool_call_id", "name");
        ((JsonElement)message.Extra["tool_call_id"]!).GetString().Should().Be("abc123xyz");
    }

    [Fact]
    public void StructuredContentGoesToExtra()
    {
        using var doc = JsonDocument.Parse("""{"role": "user", "content": [{"type": "text", "text": "hi"}]}""");

        var message = ChatMessage.FromJson(doc.RootElement);

        message.Content.Should().BeNull();
        message.Extra!.Should().ContainKey("content");
        var rendered = Peft.Tokenization.Templates.ChatTemplate.Parse("{{ messages[0].content[0].text }}|{{ messages[0] }}").Apply([message], false);
        rendered.Should().Be("hi|{'role': 'user', 'content': [{'type': 'text', 'text': 'hi'}]}");
    }

    [Fact]
    public void NullContentStaysNull()
    {
        using var doc = JsonDocument.Parse("""{"role": "assistant", "content": null}""");

        ChatMessage.FromJson(doc.RootElement).Should().Be(new ChatMessage("assistant", null));
    }

    [Theory]
    [InlineData("""[{"content": "x"}]""", "Message 0: A chat message must have a string \"role\"; found no role*")]
    [InlineData("""[{"role": "user", "content": "a"}, 5]""", "Message 1: A chat message must be a JSON object*found Number*")]
    [InlineData("""{"role": "user"}""", "Chat messages must be a JSON array; found Object*")]
    public void BadJsonNamesTheProblem(string json, string pattern)
    {
        using var doc = JsonDocument.Parse(json);

        var act = () => ChatMessage.ListFromJson(doc.RootElement);

        act.Should().Throw<FormatException>().WithMessage(pattern);
    }

    [Fact]
    public void FactoriesSetTheRole()
    {
        ChatMessage.System("s").Should().Be(new ChatMessage("system", "s"));
        ChatMessage.User("u").Role.Should().Be("user");
        ChatMessage.Assistant("a").Role.Should().Be("assistant");
    }
}
