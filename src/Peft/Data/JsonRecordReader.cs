using System.Buffers;
using System.Text.Json;

namespace Peft.Data;

/// <summary>
/// Streams the objects of a JSON Lines file (one object per line, blank lines ignored) or of a JSON array file,
/// one at a time with the line each starts on, without loading the file. Anything that is not a JSON object
/// raises a <see cref="DataFormatException"/> naming the file and line.
/// </summary>
public static class JsonRecordReader
{
    /// <summary>Reads every record of <paramref name="path"/>.</summary>
    /// <param name="path">A .jsonl file, or a .json file holding an array of objects (or JSON Lines).</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">A line or element is not a JSON object.</exception>
    public static IEnumerable<JsonRecord> Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Dataset file not found: '{Path.GetFullPath(path)}'.", path);
        }

        return FirstSignificantByte(path) == (byte)'[' ? ReadArray(path) : ReadLines(path);
    }

    private static int FirstSignificantByte(string path)
    {
        using var stream = File.OpenRead(path);
        int b;
        while ((b = stream.ReadByte()) >= 0)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0xEF or 0xBB or 0xBF))
            {
                return b;
            }
        }

        return -1;
    }

    private static IEnumerable<JsonRecord> ReadLines(string path)
    {
        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            JsonElement value;
            try
            {
                using var doc = JsonDocument.Parse(line);
                value = doc.RootElement.Clone();
            }
            catch (JsonException ex)
            {
                throw new DataFormatException(path, lineNumber, $"not valid JSON ({ex.Message.Split(" LineNumber")[0]}).", ex);
            }

            if (value.ValueKind != JsonValueKind.Object)
            {
                throw new DataFormatException(path, lineNumber, $"expected a JSON object per line; found {Describe(value.ValueKind)}.");
            }

            yield return new JsonRecord(path, lineNumber, value);
        }
    }

    private static IEnumerable<JsonRecord> ReadArray(string path)
    {
        using var stream = File.OpenRead(path);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            var length = 0;         // valid bytes in buffer
            var line = 1;           // line at buffer[0]
            var state = new JsonReaderState();
            var final = false;
            var started = false;
            var index = 0;
            var elementLine = 1;
            while (true)
            {
                if (!final && length < buffer.Length)
                {
                    var read = stream.Read(buffer, length, buffer.Length - length);
                    length += read;
                    final = read == 0;
                }

                var reader = new Utf8JsonReader(buffer.AsSpan(0, length), final, state);
                var consumed = 0;
                var progressed = false;
                var done = false;
                JsonRecord? pending = null;
                try
                {
                    while (true)
                    {
                        if (!started)
                        {
                            if (!reader.Read())
                            {
                                break;
                            }

                            if (reader.TokenType != JsonTokenType.StartArray)
                            {
                                throw new DataFormatException(path, line, "expected a JSON array of objects.");
                            }

                            started = true;
                            consumed = (int)reader.BytesConsumed;
                            state = reader.CurrentState;
                            progressed = true;
                            continue;
                        }

                        var probe = reader;
                        if (!probe.Read())
                        {
                            break; // need more data to see the next token
                        }

                        if (probe.TokenType == JsonTokenType.EndArray)
                        {
                            done = true;
                            break;
                        }

                        // probe now sits on the element's first token; parse the element from there.
                        elementLine = line + CountNewlines(buffer.AsSpan(0, (int)probe.TokenStartIndex));
                        if (!JsonDocument.TryParseValue(ref probe, out var doc))
                        {
                            break; // element incomplete: refill
                        }

                        using (doc)
                        {
                            index++;
                            if (doc!.RootElement.ValueKind != JsonValueKind.Object)
                            {
                                throw new DataFormatException(path, elementLine,
                                    $"array element {index} is {Describe(doc.RootElement.ValueKind)}; expected a JSON object.");
                            }

                            pending = new JsonRecord(path, elementLine, doc.RootElement.Clone());
                        }

                        reader = probe;
                        consumed = (int)reader.BytesConsumed;
                        state = reader.CurrentState;
                        progressed = true;
                        break; // yield outside the reader's lifetime
                    }
                }
                catch (JsonException ex)
                {
                    var problem = final && ex.Message.Contains("depth to be zero", StringComparison.Ordinal)
                        ? "the JSON array is not closed (file truncated?)."
                        : $"not valid JSON ({ex.Message.Split(" LineNumber")[0]}).";
                    throw new DataFormatException(path, Math.Max(line, elementLine), problem, ex);
                }

                if (pending is not null)
                {
                    yield return pending;
                }

                if (done)
                {
                    yield break;
                }

                if (consumed > 0)
                {
                    line += CountNewlines(buffer.AsSpan(0, consumed));
                    Buffer.BlockCopy(buffer, consumed, buffer, 0, length - consumed);
                    length -= consumed;
                }

                if (!progressed)
                {
                    if (final)
                    {
                        throw new DataFormatException(path, Math.Max(line, elementLine),
                            started ? "the JSON array is not closed (file truncated?)." : "the file is empty.");
                    }

                    if (length == buffer.Length)
                    {
                        var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2); // one element larger than the buffer
                        Buffer.BlockCopy(buffer, 0, bigger, 0, length);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int CountNewlines(ReadOnlySpan<byte> bytes) => bytes.Count((byte)'\n');

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString(),
    };
}
