using FluentAssertions;
using Peft.Data;
using Peft.Tests.Support;
using Xunit;

namespace Peft.Tests.Data;

public sealed class JsonRecordReaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Write(string name, string content)
    {
        var path = _dir.File(name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void JsonLinesGiveObjectsWithTheirLineNumbers()
    {
        var path = Write("a.jsonl", "{\"text\":\"one\"}\n\n{\"text\":\"two\"}\r\n   \n{\"text\":\"three\"}");
        var records = JsonRecordReader.Read(path).ToList();
        records.Select(r => r.Line).Should().Equal(1, 3, 5);
        records.Select(r => r.Value.GetProperty("text").GetString()).Should().Equal("one", "two", "three");
    }

    [Fact]
    public void ArraysAreStreamedWithTheLineEachElementStartsOn()
    {
        var path = Write("a.json", "[\n  {\"text\": \"one\"},\n  {\n    \"text\": \"two\"\n  },\n\n  {\"text\": \"three\"}\n]\n");
        var records = JsonRecordReader.Read(path).ToList();
        records.Select(r => r.Line).Should().Equal(2, 3, 7);
        records.Select(r => r.Value.GetProperty("text").GetString()).Should().Equal("one", "two", "three");
    }

    [Fact]
    public void ElementsLargerThanTheBufferAndManyElementsAreRead()
    {
        var big = new string('x', 200_000);
        var items = Enumerable.Range(0, 3000).Select(i => i == 1500 ? $"{{\"text\":\"{big}\"}}" : $"{{\"i\":{i}}}");
        var path = Write("big.json", "[" + string.Join(",\n", items) + "]");
        var records = JsonRecordReader.Read(path).ToList();
        records.Should().HaveCount(3000);
        records[1500].Value.GetProperty("text").GetString().Should().HaveLength(200_000);
        records[1500].Line.Should().Be(1501);
        records[2999].Value.GetProperty("i").GetInt32().Should().Be(2999);
        records[2999].Line.Should().Be(3000);
    }

    [Theory]
    [InlineData("bad.jsonl", "{\"text\":\"ok\"}\n{\"text\": oops}\n", 2, "not valid JSON*")]
    [InlineData("arr.jsonl", "{\"text\":\"ok\"}\n[1,2]\n", 2, "expected a JSON object per line; found an array.")]
    [InlineData("str.json", "[\n{\"a\":1},\n\"hello\"\n]", 3, "array element 2 is a string; expected a JSON object.")]
    [InlineData("trunc.json", "[\n{\"a\":1},\n{\"a\":2}", 3, "*not closed*")]
    [InlineData("broken.json", "[\n{\"a\":1},\n{\"a\":}\n]", 3, "not valid JSON*")]
    public void MalformedInputNamesTheLine(string name, string content, int line, string problem)
    {
        var path = Write(name, content);
        var act = () => JsonRecordReader.Read(path).ToList();
        var ex = act.Should().Throw<DataFormatException>().Which;
        ex.Line.Should().Be(line);
        ex.FilePath.Should().Be(path);
        ex.Problem.Should().Match(problem);
        ex.Message.Should().StartWith($"{path}:{line}: ");
    }
}
