using System.Text;
using FluentAssertions;
using Peft.Checkpoints;
using Peft.Tests.Support;
using Xunit;

namespace Peft.Tests.Checkpoints;

/// <summary>Every malformed file gives a <see cref="SafetensorsFormatException"/> naming the file, the tensor and the problem.</summary>
public sealed class SafetensorsCorruptionTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private const string Ok = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";

    public static TheoryData<string, byte[], string?, string> Cases()
    {
        var data8 = new byte[8];
        var d = new TheoryData<string, byte[], string?, string>
        {
            { "empty file", Array.Empty<byte>(), null, "*the file is 0 bytes long*" },
            { "truncated length field", new byte[5], null, "*the file is 5 bytes long*" },
            { "header length zero", SafetensorsBytes.Build("", data8, 0), null, "*the header length is 0*" },
            { "header length beyond file", SafetensorsBytes.Build(Ok, data8, 4096), null, "*header length is 4096 bytes but only*truncated*" },
            { "header length absurd", SafetensorsBytes.Build(Ok, data8, 1L << 40), null, "*more than the 100000000-byte limit*" },
            { "bad JSON", SafetensorsBytes.Build("{\"a\":{\"dtype\":", data8), null, "*not valid JSON*" },
            { "header not an object", SafetensorsBytes.Build("[1,2,3]", Array.Empty<byte>()), null, "*must be a JSON object; found StartArray*" },
            { "unknown dtype", SafetensorsBytes.Build("{\"a\":{\"dtype\":\"F8\",\"shape\":[2],\"data_offsets\":[0,2]}}", new byte[2]), "a", "*unknown dtype 'F8'*" },
            { "missing fields", SafetensorsBytes.Build("{\"a\":{\"dtype\":\"F32\"}}", Array.Empty<byte>()), "a", "*missing field(s): shape, data_offsets*" },
            { "offsets past end", SafetensorsBytes.Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", data8), "a", "*run past the end of the data section (8 bytes*" },
            { "overlapping ranges", SafetensorsBytes.Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", data8), "b", "*overlap tensor 'a'*" },
            { "negative shape", SafetensorsBytes.Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", data8), "a", "*negative dimension*" },
            { "huge shape", SafetensorsBytes.Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", data8), "a", "*too large*overflows*" },
            { "shape/bytes mismatch", SafetensorsBytes.Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", data8), "a", "*needs 12 bytes but data_offsets [0, 8] span 8*" },
            { "duplicate keys", SafetensorsBytes.Build("{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[4,8]}}", data8), "a", "*appears more than once*" },
            { "gap between tensors", SafetensorsBytes.Build("{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[4,8]}}", data8), "a", "*gap of 4 unused bytes*" },
            { "trailing data", SafetensorsBytes.Build("{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]}}", data8), null, "*cover 4 bytes but the data section holds 8*" },
            { "offsets reversed", SafetensorsBytes.Build("{\"a\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[8,0]}}", data8), "a", "*not an increasing pair*" },
            { "three offsets", SafetensorsBytes.Build("{\"a\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[0,4,8]}}", data8), "a", "*exactly 2 integers; found 3*" },
            { "fractional shape", SafetensorsBytes.Build("{\"a\":{\"dtype\":\"U8\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", data8), "a", "*'2.5', which is not a 64-bit integer*" },
            { "metadata not strings", SafetensorsBytes.Build("{\"__metadata__\":{\"format\":1}}", Array.Empty<byte>()), null, "*value of 'format' must be a string*" },
            { "dtype not a string", SafetensorsBytes.Build("{\"a\":{\"dtype\":32,\"shape\":[2],\"data_offsets\":[0,8]}}", data8), "a", "*dtype must be a string*" },
            { "entry not an object", SafetensorsBytes.Build("{\"a\":[1]}", Array.Empty<byte>()), "a", "*must be an object with dtype, shape and data_offsets*" },
            { "invalid UTF-8", SafetensorsBytes.Build(new byte[] { (byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}' }, Array.Empty<byte>()), null, "*not valid UTF-8*" },
        };
        return d;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MalformedFileGivesSpecificError(string description, byte[] content, string? tensor, string messagePattern)
    {
        var path = _dir.File(description.Replace(' ', '_').Replace('/', '_') + ".safetensors");
        File.WriteAllBytes(path, content);

        var act = () => SafetensorsFile.Open(path);

        var ex = act.Should().Throw<SafetensorsFormatException>().WithMessage(messagePattern).Which;
        ex.FilePath.Should().Be(path);
        ex.Message.Should().Contain(path);
        ex.TensorName.Should().Be(tensor);
    }

    [Fact]
    public void MissingFileIsFileNotFound()
    {
        var act = () => SafetensorsFile.Open(_dir.File("absent.safetensors"));
        act.Should().Throw<FileNotFoundException>().WithMessage("*absent.safetensors*");
    }

    [Fact]
    public void ShardIndexProblemsAreReported()
    {
        File.WriteAllText(_dir.File("model.safetensors.index.json"), "{\"weight_map\":{\"a\":\"model-00001-of-00002.safetensors\"}}");
        var act = () => SafetensorsCheckpoint.Open(_dir.Path);
        act.Should().Throw<SafetensorsFormatException>().WithMessage("*shard file(s) listed in weight_map are missing: model-00001-of-00002.safetensors*");

        File.WriteAllBytes(_dir.File("model-00001-of-00002.safetensors"), SafetensorsBytes.Build(Ok, new byte[8]));
        File.WriteAllText(_dir.File("model.safetensors.index.json"), "{\"weight_map\":{\"a\":\"model-00001-of-00002.safetensors\",\"b\":\"model-00001-of-00002.safetensors\"}}");
        act.Should().Throw<SafetensorsFormatException>().WithMessage("*1 tensor(s) named in weight_map are not in their shard: 'b' (expected in model-00001-of-00002.safetensors)*");

        File.WriteAllText(_dir.File("model.safetensors.index.json"), "{\"weight_map\":{\"a\":\"../x.safetensors\"}}");
        act.Should().Throw<SafetensorsFormatException>().WithMessage("*must be a plain file name*");

        File.WriteAllText(_dir.File("model.safetensors.index.json"), "{\"metadata\":{}}");
        act.Should().Throw<SafetensorsFormatException>().WithMessage("*no \"weight_map\" object*");

        File.WriteAllText(_dir.File("model.safetensors.index.json"), "{weight_map");
        act.Should().Throw<SafetensorsFormatException>().WithMessage("*index is not valid JSON*");
    }

    [Fact]
    public void FolderWithoutCheckpointListsWhatWasLookedFor()
    {
        var act = () => SafetensorsCheckpoint.Open(_dir.Path);
        act.Should().Throw<FileNotFoundException>().WithMessage("*looked for model.safetensors.index.json, model.safetensors or a single *.safetensors file*");
    }

    [Fact]
    public void ValidMinimalFileOpens()
    {
        var path = _dir.File("ok.safetensors");
        File.WriteAllBytes(path, SafetensorsBytes.Build(Ok + "   ", Encoding.ASCII.GetBytes("abcdefgh")));
        using var file = SafetensorsFile.Open(path);
        var bytes = new byte[8];
        file.ReadBytes("a", bytes);
        Encoding.ASCII.GetString(bytes).Should().Be("abcdefgh");
    }
}
