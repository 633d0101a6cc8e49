using System.Globalization;
using System.Text.Json;
using FluentAssertions;
using Peft.Tests.Support;
using Peft.Tokenization.Templates;
using Xunit;

namespace Peft.Tests.Tokenization.Templates;

/// <summary>
/// Tool calling, tool results, documents and extra variables through the real templates, compared byte for byte
/// with Jinja2 configured as transformers 4.46 configures it (TestData/chat-templates/jinja2-tool-vectors).
/// </summary>
public sealed class ToolCallingVectorTests
{
    private static readonly Lazy<(JsonElement[] Vectors, DateTime Clock)> Data = new(() =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(TestData.File("chat-templates", "jinja2-tool-vectors", "vectors.json")));
        var clock = DateTime.Parse(doc.RootElement.GetProperty("strftime_now_clock").GetString()!, CultureInfo.InvariantCulture);
        return (doc.RootElement.GetProperty("vectors").EnumerateArray().Select(v => v.Clone()).ToArray(), clock);
    });

    public static TheoryData<int, string> All()
    {
        var data = new TheoryData<int, string>();
        for (var i = 0; i < Data.Value.Vectors.Length; i++)
        {
            var v = Data.Value.Vectors[i];
            data.Add(i, $"{v.GetProperty("template_file").GetString()} {v.GetProperty("scenario").GetString()}");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(All))]
    public void RendersLikeJinja2(int index, string description)
    {
        var v = Data.Value.Vectors[index];
        var file = v.GetProperty("template_file").GetString()!;
        var template = ChatTemplate.Parse(File.ReadAllText(TestData.File("chat-templates", "templates", file)), file);
        var options = new ChatTemplateApplyOptions
        {
            Tools = v.GetProperty("tools"),
            Documents = v.GetProperty("documents"),
            ExtraContext = v.GetProperty("extra_context").EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value),
            Render = ChatTemplateRenderOptions.WithFixedClock(Data.Value.Clock),
        };
        var tokens = v.GetProperty("special_tokens").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

        var render = () => template.Apply(v.GetProperty("messages"), v.GetProperty("add_generation_prompt").GetBoolean(), tokens, options);

        if (v.TryGetProperty("expected_error", out var error))
        {
            render.Should().Throw<ChatTemplateRaisedException>(description).Which.Message.Should().Be(error.GetString());
        }
        else
        {
            render().Should().Be(v.GetProperty("expected_output").GetString(), description);
        }
    }
}
