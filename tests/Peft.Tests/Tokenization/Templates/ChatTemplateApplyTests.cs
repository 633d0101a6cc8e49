using System.Text.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Peft.Tokenization;
using Peft.Tokenization.Templates;
using Xunit;

namespace Peft.Tests.Tokenization.Templates;

/// <summary>Apply builds the context as transformers 4.46 does and supports its options.</summary>
public sealed class ChatTemplateApplyTests
{
    private static readonly ChatTemplate ChatMl = ChatTemplate.Parse(
        "{% for m in messages %}{{ '<|im_start|>' + m.role + '\\n' + m.content + '<|im_end|>\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}");

    private static readonly IReadOnlyList<ChatMessage> Conversation = [ChatMessage.User("Hi"), ChatMessage.Assistant("Sure, here")];

    [Fact]
    public void ToolsAndDocumentsAreNoneByDefault()
    {
        var template = ChatTemplate.Parse("{{ tools }}|{{ tools is defined }}|{{ documents }}|{{ add_generation_prompt }}|{{ messages | length }}");

        template.Apply([ChatMessage.User("x")], addGenerationPrompt: false).Should().Be("None|True|None|False|1");
    }

    [Fact]
    public void EmptySpecialTokensAreUndefined()
    {
        var template = ChatTemplate.Parse("{{ bos_token is defined }}|{{ eos_token }}|{{ pad_token is defined }}");
        var tokens = new Dictionary<string, string> { ["bos_token"] = "", ["eos_token"] = "</s>" };

        template.Apply([ChatMessage.User("x")], false, tokens).Should().Be("False|</s>|False");
    }

    [Fact]
    public void ExtraContextIsVisibleAndOverridesSpecialTokens()
    {
        var template = ChatTemplate.Parse("{{ enable_thinking }}|{{ eos_token }}");
        var options = new ChatTemplateApplyOptions { ExtraContext = new Dictionary<string, object?> { ["enable_thinking"] = false, ["eos_token"] = "<end>" } };

        template.Apply([ChatMessage.User("x")], false, new Dictionary<string, string> { ["eos_token"] = "</s>" }, options).Should().Be("False|<end>");
    }

    [Theory]
    [InlineData("messages")]
    [InlineData("tools")]
    [InlineData("documents")]
    [InlineData("add_generation_prompt")]
    public void ExtraContextCannotUseReservedNames(string name)
    {
        var options = new ChatTemplateApplyOptions { ExtraContext = new Dictionary<string, object?> { [name] = 1 } };

        var act = () => ChatMl.Apply(Conversation, false, null, options);

        act.Should().Throw<ArgumentException>().WithMessage($"*'{name}'*");
    }

    [Fact]
    public void ToolsFromJsonRenderThroughToJson()
    {
        using var doc = JsonDocument.Parse("""[{"type": "function", "function": {"name": "f", "parameters": {"x": 1.0}}}]""");
        var template = ChatTemplate.Parse("{% for t in tools %}{{ t | tojson }}{% endfor %}");

        template.Apply([ChatMessage.User("x")], false, null, new ChatTemplateApplyOptions { Tools = doc.RootElement })
            .Should().Be("""{"type": "function", "function": {"name": "f", "parameters": {"x": 1.0}}}""");
    }

    [Fact]
    public void ChatMessageIsADictWithRoleContentThenExtra()
    {
        var message = new ChatMessage("assistant", null)
        {
            Extra = new Dictionary<string, object?>
            {
                ["tool_calls"] = new[] { new Dictionary<string, object?> { ["function"] = new Dictionary<string, object?> { ["name"] = "f", ["arguments"] = new Dictionary<string, object?> { ["a"] = 1 } } } },
            },
        };
        var template = ChatTemplate.Parse("{{ messages[0] }}|{{ messages[0].content is none }}|{{ messages[0].tool_calls[0].function.arguments | tojson }}");

        template.Apply([message], false).Should().Be("{'role': 'assistant', 'content': None, 'tool_calls': [{'function': {'name': 'f', 'arguments': {'a': 1}}}]}|True|{\"a\": 1}");
    }

    [Fact]
    public void JsonMessagesKeepTheirKeysExactly()
    {
        using var doc = JsonDocument.Parse("""[{"content": "x", "role": "user", "n": 2.0}, {"role": "assistant"}]""");
        var template = ChatTemplate.Parse("{{ messages[0] }}|{{ messages[1].content is defined }}");

        template.Apply(doc.RootElement, false).Should().Be("{'content': 'x', 'role': 'user', 'n': 2.0}|False");
        var node = JsonNode.Parse(doc.RootElement.GetRawText())!.AsArray();
        template.Render(ChatTemplateContext.Create(node, false)).Should().Be("{'content': 'x', 'role': 'user', 'n': 2.0}|False");
    }

    [Fact]
    public void ContinueFinalMessageCutsAfterTheLastContent()
    {
        var options = new ChatTemplateApplyOptions { ContinueFinalMessage = true };

        ChatMl.Apply(Conversation, false, null, options).Should().Be("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nSure, here");
    }

    [Fact]
    public void ContinueFinalMessageFallsBackToTheStrippedContent()
    {
        var trimming = ChatTemplate.Parse("{% for m in messages %}[{{ m.content | trim }}]{% endfor %}");
        var options = new ChatTemplateApplyOptions { ContinueFinalMessage = true };

        trimming.Apply([ChatMessage.User("a"), ChatMessage.Assistant("  partial  ")], false, null, options).Should().Be("[a][partial");
    }

    [Fact]
    public void ContinueFinalMessageRejectsAGenerationPrompt()
    {
        var act = () => ChatMl.Apply(Conversation, true, null, new ChatTemplateApplyOptions { ContinueFinalMessage = true });

        act.Should().Throw<ArgumentException>().WithMessage("continue_final_message and add_generation_prompt are not compatible*");
    }

    [Fact]
    public void ParseCachesBySource()
    {
        const string source = "{{ 'cached' }}";

        ChatTemplate.Parse(source).Should().BeSameAs(ChatTemplate.Parse(source));
        ChatTemplate.Parse(source, "named").Should().NotBeSameAs(ChatTemplate.Parse(source));
    }

    [Fact]
    public void ConcurrentRendersOfOneTemplateAgree()
    {
        var results = new string[16];
        Parallel.For(0, results.Length, i =>
            results[i] = ChatMl.Apply([ChatMessage.User($"m{i % 4}"), ChatMessage.Assistant("a")], true));

        for (var i = 0; i < results.Length; i++)
        {
            results[i].Should().Be($"<|im_start|>user\nm{i % 4}<|im_end|>\n<|im_start|>assistant\na<|im_end|>\n<|im_start|>assistant\n");
        }
    }
}
