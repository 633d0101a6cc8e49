using System.Globalization;
using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace Peft.Quantization;

/// <summary>
/// The non-tensor part of a 4-bit quant state, stored (as bitsandbytes' <c>pack_dict_to_tensor</c> does) as the
/// UTF-8 bytes of a JSON object in a uint8 tensor named <c>weight.quant_state.bitsandbytes__nf4</c> (or
/// <c>__fp4</c>): <c>{"quant_type": "nf4", "blocksize": 64, "dtype": "float32", "shape": [out, in],
/// "nested_blocksize": 256, "nested_dtype": "float32", "nested_offset": 0.0123}</c>, keys in that order and with
/// Python's <c>json.dumps</c> separators so identical states give identical bytes.
/// </summary>
internal sealed record QuantStateJson(QuantType QuantType, int BlockSize, ScalarType DType, long[] Shape,
    int? NestedBlockSize, float? NestedOffset)
{
    /// <summary>The JSON bytes of a 4-bit tensor's state.</summary>
    public static byte[] Create(Quantized4BitTensor t)
    {
        var sb = new StringBuilder();
        sb.Append("{\"quant_type\": \"").Append(FourBitCodebook.Name(t.QuantType)).Append("\", ");
        sb.Append("\"blocksize\": ").Append(t.BlockSize.ToString(CultureInfo.InvariantCulture)).Append(", ");
        sb.Append("\"dtype\": \"").Append(DTypeName(t.OriginalDType)).Append("\", ");
        sb.Append("\"shape\": [").Append(string.Join(", ", t.Shape.Select(s => s.ToString(CultureInfo.InvariantCulture)))).Append(']');
        if (t.DoubleQuantized is { } nested)
        {
            sb.Append(", \"nested_blocksize\": ").Append(nested.BlockSize.ToString(CultureInfo.InvariantCulture));
            sb.Append(", \"nested_dtype\": \"float32\"");
            sb.Append(", \"nested_offset\": ").Append(PythonFloat(t.AbsmaxOffset));
        }

        sb.Append('}');
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>Parses the JSON bytes of a quant state.</summary>
    /// <param name="bytes">The uint8 tensor's bytes.</param>
    /// <param name="source">The checkpoint, for errors.</param>
    /// <param name="key">The tensor's key, for errors.</param>
    /// <exception cref="QuantizedStateException">The JSON is malformed, a field is missing or has a bad value.</exception>
    public static QuantStateJson Parse(byte[] bytes, string source, string key)
    {
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            root = doc.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new QuantizedStateException(source, key, $"the quant state is not valid JSON ({ex.Message}).", ex);
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new QuantizedStateException(source, key, $"the quant state must be a JSON object; found {root.ValueKind}.");
        }

        string typeName = String(root, "quant_type", source, key);
        var type = FourBitCodebook.TryParse(typeName)
            ?? throw new QuantizedStateException(source, key, $"unknown quant_type '{typeName}'; expected nf4 or fp4.");
        var blockSize = Int(root, "blocksize", source, key);
        if (!BlockSizes.IsValid(blockSize))
        {
            throw new QuantizedStateException(source, key, $"blocksize must be a power of two from {BlockSizes.Min} to {BlockSizes.Max}; found {blockSize}.");
        }

        var dtypeName = String(root, "dtype", source, key);
        var dtype = ParseDType(dtypeName) ?? throw new QuantizedStateException(source, key, $"unsupported dtype '{dtypeName}'; expected float32, bfloat16 or float16.");
        if (!root.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array
            || shapeElement.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.Number || !e.TryGetInt64(out var v) || v < 1))
        {
            throw new QuantizedStateException(source, key, "the quant state needs \"shape\": a list of positive integers.");
        }

        var shape = shapeElement.EnumerateArray().Select(e => e.GetInt64()).ToArray();
        int? nestedBlock = null;
        float? offset = null;
        if (root.TryGetProperty("nested_blocksize", out _))
        {
            nestedBlock = Int(root, "nested_blocksize", source, key);
            if (!BlockSizes.IsValid(nestedBlock.Value))
            {
                throw new QuantizedStateException(source, key, $"nested_blocksize must be a power of two from {BlockSizes.Min} to {BlockSizes.Max}; found {nestedBlock}.");
            }

            var nestedDType = String(root, "nested_dtype", source, key);
            if (nestedDType != "float32")
            {
                throw new QuantizedStateException(source, key, $"nested_dtype must be float32; found '{nestedDType}'.");
            }

            if (!root.TryGetProperty("nested_offset", out var o) || o.ValueKind != JsonValueKind.Number || !double.IsFinite(o.GetDouble()))
            {
                throw new QuantizedStateException(source, key, "a double-quantized state needs a finite number \"nested_offset\".");
            }

            offset = (float)o.GetDouble();
        }

        return new QuantStateJson(type, blockSize, dtype, shape, nestedBlock, offset);
    }

    private static string String(JsonElement root, string name, string source, string key) =>
        root.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.String
            ? e.GetString()!
            : throw new QuantizedStateException(source, key, $"the quant state needs a string \"{name}\".");

    private static int Int(JsonElement root, string name, string source, string key) =>
        root.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var v)
            ? v
            : throw new QuantizedStateException(source, key, $"the quant state needs an integer \"{name}\".");

    /// <summary>PyTorch's dtype name without the <c>torch.</c> prefix.</summary>
    public static string DTypeName(ScalarType t) => t switch
    {
        ScalarType.BFloat16 => "bfloat16",
        ScalarType.Float16 => "float16",
        ScalarType.Float64 => "float64",
        _ => "float32",
    };

    /// <summary>Parses a PyTorch dtype name (with or without <c>torch.</c>).</summary>
    public static ScalarType? ParseDType(string? name) => name?.Replace("torch.", string.Empty, StringComparison.Ordinal) switch
    {
        "float32" or "float" => ScalarType.Float32,
        "bfloat16" => ScalarType.BFloat16,
        "float16" or "half" => ScalarType.Float16,
        "float64" => ScalarType.Float64,
        _ => null,
    };

    /// <summary>A float32 value written as Python's <c>repr</c> of the same double (shortest round-trip digits).</summary>
    private static string PythonFloat(float value)
    {
        var d = (double)value;
        var text = d.ToString("R", CultureInfo.InvariantCulture);
        if (text.Contains('E', StringComparison.Ordinal))
        {
            var parts = text.Split('E');
            var exponent = int.Parse(parts[1], CultureInfo.InvariantCulture);
            return $"{parts[0]}e{(exponent < 0 ? "-" : "+")}{Math.Abs(exponent):D2}";
        }

        return text.Contains('.', StringComparison.Ordinal) ? text : text + ".0";
    }
}
