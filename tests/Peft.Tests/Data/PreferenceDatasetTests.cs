using FluentAssertions;
using Peft.Data;
using Peft.Tests.Support;
using Xunit;

namespace Peft.Tests.Data;

public sealed class PreferenceDatasetTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Write(params string[] lines)
    {
        var path = _dir.File($"p{Guid.NewGuid():N}.jsonl");
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void ReadsExplicitPromptsAndSplitsImplicitOnes()
    {
        var path = Write(
            "{\"prompt\":\"Q: 2+2?\",\"chosen\":\" 4\",\"rejected\":\" 5\"}",
            "{\"chosen\":\"\\n\\nHuman: hi\\n\\nAssistant: hello there\",\"rejected\":\"\\n\\nHuman: hi\\n\\nAssistant: go away\"}");
        var data = PreferenceDataset.Load(path);

        data.Examples[0].Prompt.Should().Be("Q: 2+2?");
        data.Examples[1].Prompt.Should().Be("\n\nHuman: hi\n\nAssistant:", "the space before the replies stays with them");
        data.Examples[1].Chosen.Should().Be(" hello there");
        data.Examples[1].Rejected.Should().Be(" go away");
        data.Examples[1].Line.Should().Be(2);
    }

    [Fact]
    public void ConversationalPairsSplitTheSharedMessages()
    {
        var path = Write("{\"chosen\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"hello\"}],"
                         + "\"rejected\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"no\"}]}");
        var pair = PreferenceDataset.Load(path).Examples[0];
        pair.PromptMessages!.Select(m => m.Content).Should().Equal("hi");
        pair.ChosenMessages!.Select(m => m.Content).Should().Equal("hello");
        pair.RejectedMessages!.Select(m => m.Content).Should().Equal("no");
    }

    [Theory]
    [InlineData("{\"prompt\":\"q\",\"chosen\":\"a\",\"rejected\":\"a\"}", "chosen and rejected are identical; the pair teaches nothing.")]
    [InlineData("{\"prompt\":\"\",\"chosen\":\"a\",\"rejected\":\"b\"}", "the prompt is empty.")]
    [InlineData("{\"chosen\":\"abc\",\"rejected\":\"xyz\"}", "the prompt is empty (chosen and rejected share no prefix).")]
    [InlineData("{\"prompt\":\"q\",\"chosen\":\"a\"}", "a preference pair needs \"chosen\" and \"rejected\"; found fields {\"prompt\", \"chosen\"}.")]
    [InlineData("{\"prompt\":\"q\",\"chosen\":1,\"rejected\":\"b\"}", "\"chosen\" must be a string; found the number 1.")]
    public void BadRowsAreReportedWithTheirLine(string row, string problem)
    {
        var path = Write("{\"prompt\":\"ok\",\"chosen\":\"a\",\"rejected\":\"b\"}", row);
        var act = () => PreferenceDataset.Load(path);
        var ex = act.Should().Throw<DataFormatException>().Which;
        ex.Line.Should().Be(2);
        ex.Problem.Should().Be(problem);

        var skipped = PreferenceDataset.Load(path, new DatasetReadOptions { SkipInvalid = true });
        skipped.Examples.Should().HaveCount(1);
        skipped.Skipped.Should().Equal(new SkippedRecord(2, problem));
    }
}
