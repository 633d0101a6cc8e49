using FluentAssertions;
using Peft.Data;
using Peft.Evaluation;
using Peft.Tests.Support;
using Xunit;

namespace Peft.Tests.Evaluation;

public sealed class EvaluationDatasetTests
{
    [Fact]
    public void ReadsBothReferenceFormsAndSkipsBlankLines()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("d.jsonl"), EvaluationFixtures.JsonLines());

        var dataset = EvaluationDataset.Load(dir.File("d.jsonl"));

        dataset.Count.Should().Be(3);
        dataset.Examples[0].Should().BeEquivalentTo(new EvaluationExample("Hello", ["the cat sat on the mat"], 1));
        dataset.Examples[1].References.Should().Equal("a dog ran", "the dog ran fast");
        dataset.Examples[2].Line.Should().Be(4);
        EvaluationDataset.Load(dir.File("d.jsonl"), maxRecords: 2).Count.Should().Be(2);
    }

    [Fact]
    public void ColumnsCanBeMapped()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("d.json"), "[{\"question\": \"q1\", \"answers\": [\"a1\", \"a2\"]},\n {\"question\": \"q2\", \"answer\": \"b\"}]");

        var dataset = EvaluationDataset.Load(dir.File("d.json"),
            new EvaluationColumns { Prompt = "question", References = "answers", Reference = "answer" });

        dataset.Examples.Select(e => e.Prompt).Should().Equal("q1", "q2");
        dataset.Examples[0].References.Should().Equal("a1", "a2");
        dataset.Examples[1].References.Should().Equal("b");
        dataset.Examples[1].Line.Should().Be(2);
    }

    [Theory]
    [InlineData("{\"prompt\": \"p\"}", "2: expected a string \"reference\" or a list \"references\"; found the keys \"prompt\".")]
    [InlineData("{\"reference\": \"r\"}", "2: expected a string \"prompt\"; found the keys \"reference\".")]
    [InlineData("{\"prompt\": 3, \"reference\": \"r\"}", "2: expected \"prompt\" to be a string; found the number 3.")]
    [InlineData("{\"prompt\": \"p\", \"references\": []}", "2: \"references\" is an empty list; expected at least one reference.")]
    [InlineData("{\"prompt\": \"p\", \"references\": [\"a\", null]}", "2: expected \"references\" to be a list of strings; found null at index 1.")]
    [InlineData("{\"prompt\": \"p\", \"reference\": {\"a\": 1}}", "2: expected \"reference\" to be a string or a list of strings; found an object.")]
    public void BadRecordsNameFileLineAndProblem(string secondLine, string message)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("d.jsonl"), "{\"prompt\": \"ok\", \"reference\": \"fine\"}\n" + secondLine + "\n");
        var act = () => EvaluationDataset.Load(dir.File("d.jsonl"));
        act.Should().Throw<DataFormatException>().WithMessage(dir.File("d.jsonl") + ":" + message);
    }

    [Fact]
    public void EmptyFilesAndExamplesWithoutReferencesAreRejected()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("empty.jsonl"), "\n\n");
        var empty = () => EvaluationDataset.Load(dir.File("empty.jsonl"));
        empty.Should().Throw<DataFormatException>().WithMessage("*the file holds no records.");

        var none = () => EvaluationDataset.Create([new EvaluationExample("p", [])]);
        none.Should().Throw<ArgumentException>().WithMessage("Example 0 has no reference*");
    }

    [Fact]
    public void TextDatasetReadsJsonFieldsOrAWholeTextFile()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("t.jsonl"), "{\"text\": \"one\"}\n{\"text\": \"two\"}\n");
        File.WriteAllText(dir.File("t.txt"), "line one\n\nline two\n");
        File.WriteAllText(dir.File("c.jsonl"), "{\"body\": \"x\"}\n");

        TextDataset.Load(dir.File("t.jsonl")).Should().Equal("one", "two");
        TextDataset.Load(dir.File("t.txt")).Should().Equal("line one\n\nline two\n");
        TextDataset.Load(dir.File("c.jsonl"), column: "body").Should().Equal("x");
        var act = () => TextDataset.Load(dir.File("c.jsonl"));
        act.Should().Throw<DataFormatException>().WithMessage("*c.jsonl:1: expected a string \"text\"; found the keys \"body\".");
    }
}
