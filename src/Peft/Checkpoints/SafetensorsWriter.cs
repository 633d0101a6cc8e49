using System.Buffers.Binary;
using System.Text.Json;
using Peft.IO;
using Peft.Runtime;
using TorchSharp;

namespace Peft.Checkpoints;

/// <summary>
/// Writes safetensors files: an 8-byte little-endian header length, the JSON header padded with spaces to a
/// multiple of 8 bytes, then the tensors' bytes back to back. Tensors are written in ordinal name order so the
/// same tensors always give the same bytes. The file appears atomically (temporary file, then rename).
/// </summary>
public static unsafe class SafetensorsWriter
{
    /// <summary>Writes tensors to a safetensors file.</summary>
    /// <param name="path">The target file; replaced atomically if it exists.</param>
    /// <param name="tensors">Name → tensor; any device, any layout (copied to contiguous CPU memory as needed).</param>
    /// <param name="metadata">Optional <c>__metadata__</c> entries, e.g. <c>{"format": "pt"}</c>.</param>
    /// <exception cref="ArgumentException">A name is empty, repeated or reserved, or a dtype cannot be stored.</exception>
    public static void Write(string path, IEnumerable<KeyValuePair<string, torch.Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        Write(path, tensors.Select(t => TensorSource.Of(t.Key, t.Value ?? throw new ArgumentNullException(nameof(tensors), $"Tensor '{t.Key}' is null."))).ToList(), metadata);
    }

    /// <summary>
    /// Writes tensors that are produced one at a time while the file is written, so at most one of them needs to
    /// exist at once. Each produced tensor must have the dtype and shape its source declared.
    /// </summary>
    /// <param name="path">The target file; replaced atomically if it exists.</param>
    /// <param name="sources">The tensors' names, dtypes, shapes and producers.</param>
    /// <param name="metadata">Optional <c>__metadata__</c> entries.</param>
    /// <exception cref="ArgumentException">A name is empty, repeated or reserved, a dtype cannot be stored, or a produced tensor does not match its declaration.</exception>
    public static void Write(string path, IReadOnlyList<TensorSource> sources, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(sources);
        var entries = Prepare(sources);
        var header = BuildHeader(entries, metadata);
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach (var source in entries)
            {
                var tensor = source.Produce();
                try
                {
                    if (tensor.dtype != source.DType || !tensor.shape.SequenceEqual(source.Shape))
                    {
                        throw new ArgumentException(
                            $"Tensor '{source.Name}' was declared {source.DType} [{string.Join(", ", source.Shape)}] but produced {tensor.dtype} [{string.Join(", ", tensor.shape)}].",
                            nameof(sources));
                    }

                    WriteData(stream, tensor);
                }
                finally
                {
                    if (source.DisposeAfterWrite)
                    {
                        tensor.Dispose();
                    }
                }
            }
        });
    }

    /// <summary>The number of data bytes a tensor occupies when stored.</summary>
    public static long ByteCount(torch.Tensor tensor) => tensor.numel() * TensorMemory.ElementSize(tensor.dtype);

    private static List<TensorSource> Prepare(IReadOnlyList<TensorSource> sources)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var source in sources)
        {
            if (string.IsNullOrEmpty(source.Name) || source.Name == "__metadata__")
            {
                throw new ArgumentException($"Invalid tensor name '{source.Name}'.", nameof(sources));
            }

            if (!names.Add(source.Name))
            {
                throw new ArgumentException($"Tensor name '{source.Name}' appears more than once.", nameof(sources));
            }

            SafetensorsDType.FromScalarType(source.DType); // throws for types the format cannot hold
        }

        var sorted = sources.ToList();
        sorted.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return sorted;
    }

    private static byte[] BuildHeader(List<TensorSource> entries, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (key, value) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    json.WriteString(key, value);
                }

                json.WriteEndObject();
            }

            long offset = 0;
            foreach (var source in entries)
            {
                var bytes = source.ByteCount;
                json.WriteStartObject(source.Name);
                json.WriteString("dtype", SafetensorsDType.FromScalarType(source.DType));
                json.WriteStartArray("shape");
                foreach (var dim in source.Shape)
                {
                    json.WriteNumberValue(dim);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }

            json.WriteEndObject();
        }

        var padded = (int)((buffer.Length + 7) / 8 * 8);
        var header = new byte[padded];
        buffer.GetBuffer().AsSpan(0, (int)buffer.Length).CopyTo(header);
        header.AsSpan((int)buffer.Length).Fill((byte)' ');
        return header;
    }

    private static void WriteData(Stream stream, torch.Tensor tensor)
    {
        if (tensor.numel() == 0)
        {
            return;
        }

        using var scope = torch.NewDisposeScope();
        var cpu = tensor.device_type == DeviceType.CPU ? tensor : tensor.cpu();
        var contiguous = cpu.is_contiguous() ? cpu : cpu.contiguous();
        var pointer = (byte*)TensorMemory.DataPointer(contiguous);
        var total = ByteCount(contiguous);
        const int chunk = 16 << 20;
        for (long done = 0; done < total; done += chunk)
        {
            var n = (int)Math.Min(chunk, total - done);
            stream.Write(new ReadOnlySpan<byte>(pointer + done, n));
        }
    }
}
