using System.Text.Json;
using FluentAssertions;
using Peft.Tests.Support;
using Peft.Tokenization.Templates;
using Xunit;

namespace Peft.Tests.Tokenization.Templates;

/// <summary>Hand-written templates in the style of popular model families (TestData/chat-templates/handwritten),
/// with outputs worked out by hand from Jinja2's semantics.</summary>
public sealed class PopularTemplateTests
{
    public static TheoryData<string, string, string, string> Cases() => new()
    {
        { "chatml.jinja", "system prompt and generation prompt", "{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": \"Hello!\"}, {\"role\": \"user\", \"content\": \"Bye\"}], \"add_generation_prompt\": true}", "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n" },
        { "chatml.jinja", "default system prompt", "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"add_generation_prompt\": false}", "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n" },
        { "zephyr.jinja", "system, user and generation prompt", "{\"messages\": [{\"role\": \"system\", \"content\": \"S\"}, {\"role\": \"user\", \"content\": \"U\"}], \"add_generation_prompt\": true, \"eos_token\": \"</s>\"}", "<|system|>\nS</s>\n<|user|>\nU</s>\n<|assistant|>\n" },
        { "llama2.jinja", "system prompt folded into the first turn", "{\"messages\": [{\"role\": \"system\", \"content\": \"SYS\"}, {\"role\": \"user\", \"content\": \" Hi \"}, {\"role\": \"assistant\", \"content\": \"Hello\"}, {\"role\": \"user\", \"content\": \"Q\"}], \"add_generation_prompt\": false, \"bos_token\": \"<s>\", \"eos_token\": \"</s>\"}", "<s>[INST] <<SYS>>\nSYS\n<</SYS>>\n\n Hi [/INST] Hello </s><s>[INST] Q [/INST]" },
        { "llama2.jinja", "roles must alternate", "{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"user\", \"content\": \"b\"}], \"add_generation_prompt\": false, \"bos_token\": \"<s>\", \"eos_token\": \"</s>\"}", "!raise:Conversation roles must alternate user/assistant/user/assistant/..." },
        { "reasoning.jinja", "reasoning kept only after the last user query", "{\"messages\": [{\"role\": \"user\", \"content\": \"What is 2+2?\"}, {\"role\": \"assistant\", \"content\": \"<think>\\nadd them\\n</think>\\n\\n4\"}, {\"role\": \"user\", \"content\": \"And 3+3?\"}, {\"role\": \"assistant\", \"content\": \"<think>simple</think>6\"}], \"add_generation_prompt\": false}", "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n4<|im_end|>\n<|im_start|>user\nAnd 3+3?<|im_end|>\n<|im_start|>assistant\n<think>\nsimple\n</think>\n\n6<|im_end|>\n" },
        { "reasoning.jinja", "thinking disabled", "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"add_generation_prompt\": true, \"enable_thinking\": false}", "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n" },
        { "reasoning.jinja", "thinking left to the model", "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"add_generation_prompt\": true}", "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n" },
        { "typescript_tools.jinja", "JSON-schema tools as TypeScript", "{\"tools\": [{\"name\": \"get_weather\", \"description\": \"Get the weather\", \"parameters\": {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}, \"unit\": {\"type\": \"string\", \"enum\": [\"c\", \"f\"]}, \"days\": {\"type\": \"integer\"}}, \"required\": [\"city\"]}}, {\"name\": \"list_files\", \"parameters\": {\"type\": \"object\", \"properties\": {\"paths\": {\"type\": \"array\", \"items\": {\"type\": \"string\"}}}}}]}", "namespace functions {\n// Get the weather\ntype get_weather = (_: {city: string, unit?: \"c\" | \"f\", days?: number}) => any;\ntype list_files = (_: {paths?: string[]}) => any;\n} // namespace functions (2 tools)" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void RendersAsWorkedOutByHand(string file, string description, string context, string expected)
    {
        var template = ChatTemplate.Parse(File.ReadAllText(TestData.File("chat-templates", "handwritten", file)), file);
        using var doc = JsonDocument.Parse(context);
        var variables = doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone());

        var render = () => template.Render(variables);

        if (expected.StartsWith("!raise:", StringComparison.Ordinal))
        {
            render.Should().Throw<ChatTemplateRaisedException>(description).Which.Message.Should().Be(expected["!raise:".Length..]);
        }
        else
        {
            render().Should().Be(expected, description);
        }
    }
}
