using System.Diagnostics;
using FluentAssertions;
using Peft.Tests.Support;
using Peft.Tokenization;
using Peft.Tokenization.Templates;
using Xunit;
using Xunit.Abstractions;

namespace Peft.Tests.Tokenization.Templates;

/// <summary>Rendering a parsed template is cheap: a 10-message conversation with the Llama 3.1 template takes
/// well under a millisecond (the bound here is loose so a busy CI machine does not fail it).</summary>
public sealed class RenderPerformanceTests(ITestOutputHelper output)
{
    [Fact]
    public void Llama31TenMessagesRendersWellUnderAMillisecond()
    {
        var template = ChatTemplate.Parse(File.ReadAllText(TestData.File("chat-templates", "templates", "meta-llama-Llama-3.1-8B-Instruct.jinja")));
        var messages = new List<ChatMessage> { ChatMessage.System("You are a helpful assistant.") };
        for (var i = 0; i < 9; i++)
        {
            messages.Add(i % 2 == 0 ? ChatMessage.User($"Question {i}: what is {i} + {i}? Please explain.") : ChatMessage.Assistant($"The answer is {2 * i}."));
        }

        var tokens = new Dictionary<string, string> { ["bos_token"] = "<|begin_of_text|>", ["eos_token"] = "<|eot_id|>" };
        var first = template.Apply(messages, true, tokens);
        first.Should().StartWith("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\nYou are a helpful assistant.<|eot_id|>");
        first.Should().EndWith("<|start_header_id|>user<|end_header_id|>\n\nQuestion 8: what is 8 + 8? Please explain.<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");

        for (var i = 0; i < 200; i++)
        {
            template.Apply(messages, true, tokens);
        }

        const int runs = 2000;
        var samples = new double[5];
        for (var s = 0; s < samples.Length; s++)
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < runs; i++)
            {
                template.Apply(messages, true, tokens);
            }

            samples[s] = watch.Elapsed.TotalMicroseconds / runs;
        }

        Array.Sort(samples);
        output.WriteLine($"Llama 3.1, 10 messages: median {samples[2]:F1} µs per render (best {samples[0]:F1} µs), {first.Length} chars");
        samples[2].Should().BeLessThan(1000, "a render after parsing should take well under 1 ms");
    }
}
