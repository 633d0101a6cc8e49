using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Peft.Checkpoints;

/// <summary>
/// Parses and validates a safetensors header: an 8-byte little-endian length <c>N</c>, then <c>N</c> bytes of
/// UTF-8 JSON mapping each tensor name to <c>{"dtype", "shape", "data_offsets": [begin, end]}</c>, with an
/// optional <c>"__metadata__"</c> string map; the data section follows and must be covered exactly by the
/// tensors' byte ranges (no overlaps, no gaps, nothing after the last tensor).
/// </summary>
internal sealed class SafetensorsHeader
{
    /// <summary>The largest header accepted, as in the reference implementation (100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private SafetensorsHeader(long dataStart, Dictionary<string, string> metadata, List<SafetensorsTensorInfo> tensors)
    {
        DataStart = dataStart;
        Metadata = metadata;
        Tensors = tensors;
    }

    /// <summary>File offset of the data section (8 + header length).</summary>
    public long DataStart { get; }

    /// <summary>The <c>__metadata__</c> entries (empty when absent).</summary>
    public Dictionary<string, string> Metadata { get; }

    /// <summary>Tensors ordered by their position in the data section.</summary>
    public List<SafetensorsTensorInfo> Tensors { get; }

    /// <summary>Reads the header length from the first 8 bytes and checks it against the file size.</summary>
    public static long ReadHeaderLength(ReadOnlySpan<byte> first8, long fileLength, string path)
    {
        if (fileLength < 8)
        {
            throw new SafetensorsFormatException(path, null,
                $"the file is {fileLength} bytes long; a safetensors file starts with an 8-byte header length.");
        }

        var n = BinaryPrimitives.ReadUInt64LittleEndian(first8);
        if (n < 2)
        {
            throw new SafetensorsFormatException(path, null, $"the header length is {n}; expected at least 2 bytes of JSON.");
        }

        if (n > MaxHeaderBytes)
        {
            throw new SafetensorsFormatException(path, null,
                $"the header length is {n} bytes, more than the {MaxHeaderBytes}-byte limit; the file is not safetensors or is corrupt.");
        }

        if ((long)n > fileLength - 8)
        {
            throw new SafetensorsFormatException(path, null,
                $"the header length is {n} bytes but only {fileLength - 8} bytes follow the length field (file truncated?).");
        }

        return (long)n;
    }

    /// <summary>Parses and validates the header JSON.</summary>
    /// <param name="json">The header bytes (without the 8-byte length).</param>
    /// <param name="fileLength">Total file size, to check that data offsets lie inside the file.</param>
    /// <param name="path">The file, for messages.</param>
    public static SafetensorsHeader Parse(ReadOnlySpan<byte> json, long fileLength, string path)
    {
        var dataStart = 8 + json.Length;
        var dataLength = fileLength - dataStart;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var tensors = new List<SafetensorsTensorInfo>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 8 });
            Expect(ref reader, JsonTokenType.StartObject, path, null, "the header must be a JSON object");
            while (true)
            {
                Read(ref reader, path, null);
                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    break;
                }

                var name = reader.GetString()!;
                if (!seen.Add(name))
                {
                    throw new SafetensorsFormatException(path, name, "the name appears more than once in the header.");
                }

                if (name == "__metadata__")
                {
                    ReadMetadata(ref reader, metadata, path);
                    continue;
                }

                tensors.Add(ReadTensor(ref reader, name, dataLength, path));
            }

            if (reader.Read())
            {
                throw new SafetensorsFormatException(path, null, $"unexpected content after the header object at byte {reader.TokenStartIndex}.");
            }
        }
        catch (JsonException ex)
        {
            throw new SafetensorsFormatException(path, null, $"the header is not valid JSON ({ex.Message}).", ex);
        }
        catch (Exception ex) when (ex is DecoderFallbackException or InvalidOperationException)
        {
            throw new SafetensorsFormatException(path, null, "the header is not valid UTF-8.", ex);
        }

        CheckCoverage(tensors, dataLength, path);
        return new SafetensorsHeader(dataStart, metadata, tensors);
    }

    private static void ReadMetadata(ref Utf8JsonReader reader, Dictionary<string, string> metadata, string path)
    {
        Expect(ref reader, JsonTokenType.StartObject, path, null, "__metadata__ must be an object of string values");
        while (true)
        {
            Read(ref reader, path, null);
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                return;
            }

            var key = reader.GetString()!;
            Read(ref reader, path, null);
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new SafetensorsFormatException(path, null, $"__metadata__ value of '{key}' must be a string; found {reader.TokenType}.");
            }

            if (!metadata.TryAdd(key, reader.GetString()!))
            {
                throw new SafetensorsFormatException(path, null, $"__metadata__ key '{key}' appears more than once.");
            }
        }
    }

    private static SafetensorsTensorInfo ReadTensor(ref Utf8JsonReader reader, string name, long dataLength, string path)
    {
        Expect(ref reader, JsonTokenType.StartObject, path, name, "the entry must be an object with dtype, shape and data_offsets");
        string? dtype = null;
        List<long>? shape = null;
        List<long>? offsets = null;
        while (true)
        {
            Read(ref reader, path, name);
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                break;
            }

            var field = reader.GetString();
            switch (field)
            {
                case "dtype":
                    Read(ref reader, path, name);
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        throw new SafetensorsFormatException(path, name, $"dtype must be a string; found {reader.TokenType}.");
                    }

                    dtype = reader.GetString();
                    break;
                case "shape":
                    shape = ReadIntegers(ref reader, path, name, "shape");
                    break;
                case "data_offsets":
                    offsets = ReadIntegers(ref reader, path, name, "data_offsets");
                    break;
                default:
                    reader.Skip(); // unknown fields are tolerated, as in the reference implementation
                    break;
            }
        }

        if (dtype is null || shape is null || offsets is null)
        {
            var missing = new[] { ("dtype", dtype is null), ("shape", shape is null), ("data_offsets", offsets is null) }
                .Where(m => m.Item2).Select(m => m.Item1);
            throw new SafetensorsFormatException(path, name, $"missing field(s): {string.Join(", ", missing)}.");
        }

        if (!SafetensorsDType.IsKnown(dtype))
        {
            throw new SafetensorsFormatException(path, name,
                $"unknown dtype '{dtype}'; supported: {string.Join(", ", SafetensorsDType.Names)}.");
        }

        if (offsets.Count != 2)
        {
            throw new SafetensorsFormatException(path, name, $"data_offsets must hold exactly 2 integers; found {offsets.Count}.");
        }

        var shapeText = "[" + string.Join(", ", shape) + "]";
        long bytes = SafetensorsDType.SizeOf(dtype);
        foreach (var dim in shape)
        {
            if (dim < 0)
            {
                throw new SafetensorsFormatException(path, name, $"shape {shapeText} has a negative dimension.");
            }

            try
            {
                bytes = checked(bytes * dim);
            }
            catch (OverflowException)
            {
                throw new SafetensorsFormatException(path, name, $"shape {shapeText} is too large: its byte size overflows 64 bits.");
            }
        }

        var (begin, end) = (offsets[0], offsets[1]);
        if (begin < 0 || end < begin)
        {
            throw new SafetensorsFormatException(path, name, $"data_offsets [{begin}, {end}] are not an increasing pair of non-negative integers.");
        }

        if (end > dataLength)
        {
            throw new SafetensorsFormatException(path, name,
                $"data_offsets [{begin}, {end}] run past the end of the data section ({dataLength} bytes; file truncated?).");
        }

        if (end - begin != bytes)
        {
            throw new SafetensorsFormatException(path, name,
                $"shape {shapeText} of {dtype} needs {bytes} bytes but data_offsets [{begin}, {end}] span {end - begin}.");
        }

        return new SafetensorsTensorInfo(name, dtype, shape.ToArray(), begin, end);
    }

    private static List<long> ReadIntegers(ref Utf8JsonReader reader, string path, string name, string field)
    {
        Expect(ref reader, JsonTokenType.StartArray, path, name, $"{field} must be an array of integers");
        var values = new List<long>();
        while (true)
        {
            Read(ref reader, path, name);
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                return values;
            }

            if (reader.TokenType != JsonTokenType.Number)
            {
                throw new SafetensorsFormatException(path, name, $"{field} must contain integers; found {reader.TokenType}.");
            }

            if (!reader.TryGetInt64(out var value))
            {
                throw new SafetensorsFormatException(path, name,
                    $"{field} holds '{Encoding.UTF8.GetString(reader.ValueSpan)}', which is not a 64-bit integer.");
            }

            values.Add(value);
            if (values.Count > 64)
            {
                throw new SafetensorsFormatException(path, name, $"{field} has more than 64 entries.");
            }
        }
    }

    private static void CheckCoverage(List<SafetensorsTensorInfo> tensors, long dataLength, string path)
    {
        tensors.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long expected = 0;
        SafetensorsTensorInfo? previous = null;
        foreach (var t in tensors)
        {
            if (t.Begin < expected)
            {
                throw new SafetensorsFormatException(path, t.Name,
                    $"data_offsets [{t.Begin}, {t.End}] overlap tensor '{previous!.Name}' [{previous.Begin}, {previous.End}].");
            }

            if (t.Begin > expected)
            {
                throw new SafetensorsFormatException(path, t.Name,
                    $"data_offsets [{t.Begin}, {t.End}] leave a gap of {t.Begin - expected} unused bytes before them.");
            }

            expected = t.End;
            previous = t;
        }

        if (expected != dataLength)
        {
            throw new SafetensorsFormatException(path, null,
                $"the tensors cover {expected} bytes but the data section holds {dataLength}; the file has trailing or missing data.");
        }
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string path, string? name, string what)
    {
        Read(ref reader, path, name);
        if (reader.TokenType != type)
        {
            throw new SafetensorsFormatException(path, name, $"{what}; found {reader.TokenType}.");
        }
    }

    private static void Read(ref Utf8JsonReader reader, string path, string? name)
    {
        if (!reader.Read())
        {
            throw new SafetensorsFormatException(path, name, "the header JSON ends early.");
        }
    }
}
