using System.Text;
using System.Text.Json;
using FluentAssertions;
using Peft.Checkpoints;
using Peft.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Peft.Tests.Checkpoints;

public sealed class SafetensorsRoundTripTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Dictionary<string, Tensor> EveryDType()
    {
        var g = new Generator(7);
        return new Dictionary<string, Tensor>
        {
            ["f64"] = arange(0, 12, dtype: float64).reshape(3, 4) * Math.PI,
            ["f32"] = randn(new long[] { 5, 3 }, generator: g),
            ["f16"] = randn(new long[] { 4 }, generator: g).to(float16),
            ["bf16"] = randn(new long[] { 2, 2, 2 }, generator: g).to(bfloat16),
            ["i64"] = tensor(new long[] { long.MinValue, -1, 0, long.MaxValue }),
            ["i32"] = tensor(new[] { int.MinValue, 7, int.MaxValue }),
            ["i16"] = tensor(new short[] { short.MinValue, 3, short.MaxValue }),
            ["i8"] = tensor(new sbyte[] { -128, -1, 0, 127 }),
            ["u8"] = arange(0, 256, dtype: uint8),
            ["bool"] = tensor(new[] { true, false, false, true, true }),
            ["scalar"] = tensor(2.5f),
            ["empty"] = zeros(new long[] { 0, 3 }),
        };
    }

    [Fact]
    public void EveryDTypeRoundTripsByteExact()
    {
        var tensors = EveryDType();
        var path = _dir.File("all.safetensors");

        SafetensorsWriter.Write(path, tensors, new Dictionary<string, string> { ["format"] = "pt" });

        using var file = SafetensorsFile.Open(path);
        file.Metadata.Should().Equal(new Dictionary<string, string> { ["format"] = "pt" });
        file.Names.Should().BeEquivalentTo(tensors.Keys);
        foreach (var (name, expected) in tensors)
        {
            using var actual = file.ReadTensor(name);
            actual.dtype.Should().Be(expected.dtype, name);
            actual.shape.Should().Equal(expected.shape, name);
            actual.bytes.ToArray().Should().Equal(expected.contiguous().bytes.ToArray(), name);
        }
    }

    [Fact]
    public void HeaderIsPaddedAndTensorsAreInNameOrder()
    {
        var path = _dir.File("h.safetensors");
        SafetensorsWriter.Write(path, EveryDType());
        var bytes = File.ReadAllBytes(path);
        var (dataStart, header) = SafetensorsBytes.ReadHeader(bytes);

        (dataStart % 8).Should().Be(0);
        var headerText = Encoding.UTF8.GetString(bytes, 8, (int)dataStart - 8);
        headerText.TrimEnd(' ').Should().EndWith("}");
        header.EnumerateObject().Select(p => p.Name).Should().BeInAscendingOrder(StringComparer.Ordinal);
        long expectedOffset = 0;
        foreach (var p in header.EnumerateObject())
        {
            var offsets = p.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            offsets[0].Should().Be(expectedOffset, p.Name);
            expectedOffset = offsets[1];
        }

        (dataStart + expectedOffset).Should().Be(bytes.Length);
    }

    [Fact]
    public void WritingIsDeterministic()
    {
        var tensors = EveryDType();
        SafetensorsWriter.Write(_dir.File("a.safetensors"), tensors);
        SafetensorsWriter.Write(_dir.File("b.safetensors"), tensors.Reverse());

        File.ReadAllBytes(_dir.File("a.safetensors")).Should().Equal(File.ReadAllBytes(_dir.File("b.safetensors")));
    }

    [Fact]
    public void RawBf16BitsAreKeptNotConverted()
    {
        // bf16 NaN with payload, smallest subnormal, -0, max finite: a value conversion would change some of these.
        var raw = new byte[] { 0xC1, 0x7F, 0x01, 0x00, 0x00, 0x80, 0x7F, 0x7F };
        var path = _dir.File("bf16.safetensors");
        File.WriteAllBytes(path, SafetensorsBytes.Build("{\"x\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[0,8]}}", raw));

        using var file = SafetensorsFile.Open(path);
        using var x = file.ReadTensor("x");

        x.dtype.Should().Be(ScalarType.BFloat16);
        x.bytes.ToArray().Should().Equal(raw);
    }

    [Fact]
    public void ReadIntoFillsAnExistingTensorAndChecksItsType()
    {
        var path = _dir.File("r.safetensors");
        using var source = arange(0, 6, dtype: float32).reshape(2, 3);
        SafetensorsWriter.Write(path, new Dictionary<string, Tensor> { ["w"] = source });
        using var file = SafetensorsFile.Open(path);

        using var target = zeros(2, 3);
        file.ReadInto("w", target);
        target.data<float>().ToArray().Should().Equal(0, 1, 2, 3, 4, 5);

        using var wrong = zeros(new long[] { 2, 3 }, dtype: float64);
        var act = () => file.ReadInto("w", wrong);
        act.Should().Throw<ArgumentException>().WithMessage("Tensor 'w' in '*r.safetensors' is F32 [2, 3]; the destination is Float64 [2, 3].*");

        var missing = () => file.ReadTensor("nope");
        missing.Should().Throw<KeyNotFoundException>().WithMessage("Tensor 'nope' is not in '*r.safetensors'.");
    }

    [Fact]
    public void ReplacingAFileIsAtomicAndAFailedWriteKeepsTheOldOne()
    {
        var path = _dir.File("m.safetensors");
        SafetensorsWriter.Write(path, new Dictionary<string, Tensor> { ["a"] = ones(2) });
        SafetensorsWriter.Write(path, new Dictionary<string, Tensor> { ["b"] = ones(3) });
        using (var file = SafetensorsFile.Open(path))
        {
            file.Names.Should().Equal("b");
        }

        var before = File.ReadAllBytes(path);
        var disposed = ones(2);
        disposed.Dispose();
        var act = () => SafetensorsWriter.Write(path, new Dictionary<string, Tensor> { ["c"] = ones(1), ["d"] = disposed });

        act.Should().Throw<Exception>();
        File.ReadAllBytes(path).Should().Equal(before);
        Directory.GetFiles(_dir.Path).Should().Equal(path); // no temporary file left behind
    }

    [Fact]
    public void ShardedCheckpointRoundTripsThroughTheIndex()
    {
        var tensors = Enumerable.Range(0, 6).ToDictionary(i => $"layer.{i}.weight", i => full(new long[] { 100 }, (float)i));
        var written = SafetensorsCheckpoint.Save(_dir.Path, tensors, maxShardBytes: 900);

        written.Select(Path.GetFileName).Should().Equal(
            "model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors", "model-00003-of-00003.safetensors",
            "model.safetensors.index.json");
        using (var index = JsonDocument.Parse(File.ReadAllText(_dir.File("model.safetensors.index.json"))))
        {
            index.RootElement.GetProperty("metadata").GetProperty("total_size").GetInt64().Should().Be(6 * 400);
            index.RootElement.GetProperty("weight_map").GetProperty("layer.5.weight").GetString().Should().Be("model-00003-of-00003.safetensors");
        }

        using (var checkpoint = SafetensorsCheckpoint.Open(_dir.Path))
        {
            checkpoint.Files.Should().HaveCount(3);
            checkpoint.Names.Should().BeEquivalentTo(tensors.Keys);
            checkpoint.TotalBytes.Should().Be(2400);
            foreach (var (name, expected) in tensors)
            {
                using var actual = checkpoint.ReadTensor(name);
                actual.allclose(expected, 0, 0).Should().BeTrue(name);
            }
        }

        // Saving again as one file removes the stale shards and index.
        SafetensorsCheckpoint.Save(_dir.Path, tensors);
        Directory.GetFiles(_dir.Path).Select(Path.GetFileName).Should().Equal("model.safetensors");
    }
}
