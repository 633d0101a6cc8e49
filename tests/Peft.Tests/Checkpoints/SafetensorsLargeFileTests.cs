using System.Text;
using FluentAssertions;
using Peft.Checkpoints;
using Peft.Tests.Support;
using Xunit;

namespace Peft.Tests.Checkpoints;

/// <summary>Files and tensors beyond 2 GiB, using a sparse file so the test needs little disk and time.</summary>
public sealed class SafetensorsLargeFileTests
{
    private const long Big = 5L << 29; // 2.5 GiB

    [Fact]
    [Trait("Category", "Long")]
    public void ReadsTensorsBeyondTwoGibibytes()
    {
        using var dir = new TempDirectory();
        var path = dir.File("big.safetensors");
        var header = "{\"big\":{\"dtype\":\"U8\",\"shape\":[" + Big + "],\"data_offsets\":[0," + Big + "]},"
                     + "\"tail\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[" + Big + "," + (Big + 16) + "]}}";
        var headerBytes = Encoding.UTF8.GetBytes(header);
        long dataStart = 8 + headerBytes.Length;
        using (var stream = new FileStream(path, FileMode.CreateNew))
        {
            stream.Write(BitConverter.GetBytes((ulong)headerBytes.Length));
            stream.Write(headerBytes);
            stream.Position = dataStart + (1L << 31) + 5; // a marker inside "big", past the 2 GiB mark
            stream.WriteByte(7);
            stream.Position = dataStart + Big;
            foreach (var v in new[] { 1.5f, -2f, 3.25f, 1e-3f })
            {
                stream.Write(BitConverter.GetBytes(v));
            }
        }

        new FileInfo(path).Length.Should().BeGreaterThan(int.MaxValue);
        using var file = SafetensorsFile.Open(path);

        using (var tail = file.ReadTensor("tail"))
        {
            tail.data<float>().ToArray().Should().Equal(1.5f, -2f, 3.25f, 1e-3f);
        }

        using var big = file.ReadTensor("big");
        big.numel().Should().Be(Big);
        big[(1L << 31) + 5].item<byte>().Should().Be(7);
        big[(1L << 31) + 4].item<byte>().Should().Be(0);
        big[Big - 1].item<byte>().Should().Be(0);
    }
}
