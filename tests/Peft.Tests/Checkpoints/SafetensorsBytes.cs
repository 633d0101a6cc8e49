using System.Buffers.Binary;
using System.Text;

namespace Peft.Tests.Checkpoints;

/// <summary>Builds raw safetensors files byte by byte, so tests control every field, valid or not.</summary>
internal static class SafetensorsBytes
{
    public static byte[] Build(string headerJson, byte[] data, long? declaredHeaderLength = null) =>
        Build(Encoding.UTF8.GetBytes(headerJson), data, declaredHeaderLength);

    public static byte[] Build(byte[] header, byte[] data, long? declaredHeaderLength = null)
    {
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)(declaredHeaderLength ?? header.Length));
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        return bytes;
    }

    /// <summary>Parses a header independently of the library (System.Text.Json DOM), for cross-checking.</summary>
    public static (long DataStart, System.Text.Json.JsonElement Header) ReadHeader(byte[] file)
    {
        var n = (long)BinaryPrimitives.ReadUInt64LittleEndian(file);
        var doc = System.Text.Json.JsonDocument.Parse(file.AsMemory(8, (int)n));
        return (8 + n, doc.RootElement);
    }
}
