using System.Text.Json;
using FluentAssertions;
using Peft.Checkpoints;
using Peft.Tests.Support;
using Xunit;

namespace Peft.Tests.Checkpoints;

/// <summary>Reads files written by Python's safetensors (via transformers and PEFT) byte for byte.</summary>
public sealed class SafetensorsFixtureTests
{
    [Theory]
    [InlineData("model/model.safetensors", 21)]
    [InlineData("adapters/lora_r8/adapter_model.safetensors", 28)]
    [InlineData("adapters/lora_r4_qv/adapter_model.safetensors", 8)]
    [InlineData("logits.safetensors", 30)]
    public void ReadsPythonWrittenFilesByteExact(string relative, int tensorCount)
    {
        var path = TestData.HfParity(relative.Split('/'));
        var raw = File.ReadAllBytes(path);
        var (dataStart, header) = SafetensorsBytes.ReadHeader(raw);

        using var file = SafetensorsFile.Open(path);

        file.Tensors.Should().HaveCount(tensorCount);
        file.Metadata["format"].Should().Be("pt");
        foreach (var entry in header.EnumerateObject().Where(p => p.Name != "__metadata__"))
        {
            var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var shape = entry.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            using var tensor = file.ReadTensor(entry.Name);
            tensor.shape.Should().Equal(shape, entry.Name);
            tensor.bytes.ToArray().Should().Equal(raw.AsSpan((int)(dataStart + offsets[0]), (int)(offsets[1] - offsets[0])).ToArray(), entry.Name);
        }
    }

    [Fact]
    public void ModelKeysAndShapesMatchWhatTransformersRecorded()
    {
        using var vectors = JsonDocument.Parse(File.ReadAllText(TestData.HfParity("vectors.json")));
        var expected = vectors.RootElement.GetProperty("model_safetensors_keys");

        using var checkpoint = SafetensorsCheckpoint.Open(TestData.HfParity("model"));

        checkpoint.Names.Should().BeEquivalentTo(expected.EnumerateObject().Select(p => p.Name));
        foreach (var p in expected.EnumerateObject())
        {
            checkpoint.GetInfo(p.Name).Shape.Should().Equal(p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()), p.Name);
            checkpoint.GetInfo(p.Name).DType.Should().Be("F32");
        }
    }
}
