using System.Globalization;
using System.Text.Json;
using FluentAssertions;
using Peft.Tests.Support;
using Peft.Tokenization.Templates;
using Xunit;

namespace Peft.Tests.Tokenization.Templates;

/// <summary>
/// Every rendering in TestData/chat-templates/vectors.json (made by transformers 4.46's own apply_chat_template with
/// Jinja2 3.1.2) is reproduced byte for byte, including the template's own raise_exception messages.
/// </summary>
public sealed class ChatTemplateVectorTests
{
    private static readonly Lazy<JsonElement[]> Vectors = new(() =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(TestData.File("chat-templates", "vectors.json")));
        return doc.RootElement.EnumerateArray().Select(v => v.Clone()).ToArray();
    });

    public static TheoryData<int, string> AllVectors()
    {
        var data = new TheoryData<int, string>();
        for (var i = 0; i < Vectors.Value.Length; i++)
        {
            var v = Vectors.Value[i];
            data.Add(i, $"{v.GetProperty("template_file").GetString()} {v.GetProperty("conversation_id").GetString()} agp={v.GetProperty("add_generation_prompt").GetBoolean()}");
        }

        return data;
    }

    [Fact]
    public void TheDataHasAllVectors()
    {
        Vectors.Value.Should().HaveCount(104);
        Vectors.Value.Select(v => v.GetProperty("template_file").GetString()).Distinct().Should().HaveCount(13);
    }

    [Theory]
    [MemberData(nameof(AllVectors))]
    public void RendersExactlyAsTransformers(int index, string description)
    {
        var v = Vectors.Value[index];
        var source = File.ReadAllText(TestData.File("chat-templates", "templates", v.GetProperty("template_file").GetString()!));
        var template = ChatTemplate.Parse(source, v.GetProperty("template_file").GetString());
        var specialTokens = v.GetProperty("special_tokens").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        var options = new ChatTemplateApplyOptions();
        if (v.TryGetProperty("strftime_now_clock", out var clock))
        {
            options = options with { Render = ChatTemplateRenderOptions.WithFixedClock(DateTime.Parse(clock.GetString()!, CultureInfo.InvariantCulture)) };
        }

        var render = () => template.Apply(v.GetProperty("messages"), v.GetProperty("add_generation_prompt").GetBoolean(), specialTokens, options);

        if (v.TryGetProperty("expected_error", out var error))
        {
            var ex = render.Should().Throw<ChatTemplateRaisedException>(description).Which;
            ex.Message.Should().Be(error.GetString());
            ex.PythonExceptionType.Should().Be(v.GetProperty("expected_error_type").GetString());
        }
        else
        {
            render().Should().Be(v.GetProperty("expected_output").GetString(), description);
        }
    }

    [Theory]
    [MemberData(nameof(AllVectors))]
    public void ChatMessageListRendersLikeTheJson(int index, string description)
    {
        var v = Vectors.Value[index];
        if (v.TryGetProperty("expected_error", out _) || v.TryGetProperty("strftime_now_clock", out _))
        {
            return;
        }

        var source = File.ReadAllText(TestData.File("chat-templates", "templates", v.GetProperty("template_file").GetString()!));
        var specialTokens = v.GetProperty("special_tokens").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        var messages = Peft.Tokenization.ChatMessage.ListFromJson(v.GetProperty("messages"));

        var output = ChatTemplate.Parse(source).Apply(messages, v.GetProperty("add_generation_prompt").GetBoolean(), specialTokens);

        output.Should().Be(v.GetProperty("expected_output").GetString(), description);
    }
}
