using Peft.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Quantization;

/// <summary>
/// The saved form of quantized layers, keyed under the layer's path <c>P</c> (e.g. <c>model.layers.0.mlp.up_proj.</c>),
/// mirroring what transformers writes for bitsandbytes layers.
/// 4-bit: <c>P.weight</c> uint8 [⌈n/2⌉, 1], <c>P.weight.absmax</c> float32 [blocks] (uint8 when double-quantized),
/// <c>P.weight.quant_map</c> float32 [16], with double quantization <c>P.weight.nested_absmax</c> float32
/// [⌈blocks/256⌉] and <c>P.weight.nested_quant_map</c> float32 [256], and <c>P.weight.quant_state.bitsandbytes__nf4</c>
/// (or <c>__fp4</c>) uint8 JSON. 8-bit: <c>P.weight</c> int8 [out, in], <c>P.SCB</c> float32 [out], and only when there
/// are outliers <c>P.weight.outlier_columns</c> int64 [k] and <c>P.weight.outlier_values</c> [out, k]. Bias: <c>P.bias</c>.
/// </summary>
internal static class QuantizedStateDict
{
    public const string QuantStatePrefix = "weight.quant_state.bitsandbytes__";

    /// <summary>The tensors one quantized layer saves.</summary>
    public static IEnumerable<TensorSource> Sources(string prefix, QuantizedLinear layer)
    {
        switch (layer)
        {
            case Linear4bit l4 when l4.Weight is { } w:
                yield return Cpu(prefix + "weight", w.Packed);
                if (w.DoubleQuantized is { } nested)
                {
                    yield return Cpu(prefix + "weight.absmax", nested.Codes);
                    yield return Cpu(prefix + "weight.nested_absmax", nested.Absmax);
                    yield return Cpu(prefix + "weight.nested_quant_map", nested.Map);
                }
                else
                {
                    yield return Cpu(prefix + "weight.absmax", w.Absmax!);
                }

                var codes = FourBitCodebook.Codes(w.QuantType);
                yield return new TensorSource(prefix + "weight.quant_map", ScalarType.Float32, new long[] { 16 }, () => tensor(codes), true);
                var json = QuantStateJson.Create(w);
                yield return new TensorSource(prefix + QuantStatePrefix + FourBitCodebook.Name(w.QuantType), ScalarType.Byte,
                    new long[] { json.Length }, () => tensor(json), true);
                break;
            case Linear8bit l8 when l8.Weight is { } w8:
                yield return Cpu(prefix + "weight", w8.Codes);
                yield return Cpu(prefix + "SCB", w8.RowAbsmax);
                if (w8.OutlierColumns is not null)
                {
                    yield return Cpu(prefix + "weight.outlier_columns", w8.OutlierColumns);
                    yield return Cpu(prefix + "weight.outlier_values", w8.OutlierValues!);
                }

                break;
            default:
                throw new InvalidOperationException($"The quantized layer '{prefix.TrimEnd('.')}' has no weight to save.");
        }

        if (layer.Bias is { } bias)
        {
            yield return Cpu(prefix + "bias", bias);
        }
    }

    private static TensorSource Cpu(string name, Tensor t) =>
        t.device_type == DeviceType.CPU && t.is_contiguous()
            ? TensorSource.Of(name, t)
            : new TensorSource(name, t.dtype, t.shape, () => CpuCopy(t), DisposeAfterWrite: true);

    /// <summary>A contiguous CPU copy of a tensor, with no intermediate handles left for the finalizer.</summary>
    internal static Tensor CpuCopy(Tensor t)
    {
        using var scope = NewDisposeScope();
        return t.detach().cpu().contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>The keys a saved 4-bit layer holds (the quant-state key is looked up in the checkpoint).</summary>
    public static List<string> Keys4Bit(string prefix, bool hasBias, SafetensorsCheckpoint checkpoint, out string? quantStateKey)
    {
        var stateKeys = checkpoint.Names.Where(n => n.StartsWith(prefix + QuantStatePrefix, StringComparison.Ordinal)).ToList();
        if (stateKeys.Count > 1)
        {
            throw new QuantizedStateException(checkpoint.Source, stateKeys[1], $"a layer has exactly one quant state; found {string.Join(", ", stateKeys)}.");
        }

        quantStateKey = stateKeys.Count == 1 ? stateKeys[0] : null;
        var keys = new List<string> { prefix + "weight", prefix + "weight.absmax", prefix + "weight.quant_map" };
        if (checkpoint.Contains(prefix + "weight.nested_absmax") || checkpoint.Contains(prefix + "weight.nested_quant_map"))
        {
            keys.Add(prefix + "weight.nested_absmax");
            keys.Add(prefix + "weight.nested_quant_map");
        }

        keys.Add(quantStateKey ?? prefix + QuantStatePrefix + "nf4");
        if (hasBias)
        {
            keys.Add(prefix + "bias");
        }

        return keys;
    }

    /// <summary>The keys a saved 8-bit layer holds.</summary>
    public static List<string> Keys8Bit(string prefix, bool hasBias, SafetensorsCheckpoint checkpoint)
    {
        var keys = new List<string> { prefix + "weight", prefix + "SCB" };
        if (checkpoint.Contains(prefix + "weight_format"))
        {
            keys.Add(prefix + "weight_format");
        }

        if (checkpoint.Contains(prefix + "weight.outlier_columns") || checkpoint.Contains(prefix + "weight.outlier_values"))
        {
            keys.Add(prefix + "weight.outlier_columns");
            keys.Add(prefix + "weight.outlier_values");
        }

        if (hasBias)
        {
            keys.Add(prefix + "bias");
        }

        return keys;
    }

    /// <summary>Reads, validates and installs a saved 4-bit weight.</summary>
    public static void Restore4Bit(SafetensorsCheckpoint ckpt, string prefix, Linear4bit layer, string quantStateKey)
    {
        var source = ckpt.Source;
        var typeName = quantStateKey[(prefix.Length + QuantStatePrefix.Length)..];
        var keyType = FourBitCodebook.TryParse(typeName)
            ?? throw new QuantizedStateException(source, quantStateKey, $"unknown quant type '{typeName}' in the key; expected bitsandbytes__nf4 or bitsandbytes__fp4.");
        Expect(ckpt, quantStateKey, ScalarType.Byte, null);
        byte[] jsonBytes;
        using (var raw = ckpt.ReadTensor(quantStateKey))
        {
            jsonBytes = raw.data<byte>().ToArray();
        }

        var state = QuantStateJson.Parse(jsonBytes, source, quantStateKey);
        if (state.QuantType != keyType)
        {
            throw new QuantizedStateException(source, quantStateKey,
                $"the key says {FourBitCodebook.Name(keyType)} but quant_type is {FourBitCodebook.Name(state.QuantType)}.");
        }

        var expectedShape = new[] { layer.OutFeatures, layer.InFeatures };
        if (!state.Shape.SequenceEqual(expectedShape))
        {
            throw new QuantizedStateException(source, quantStateKey, $"shape must be [{string.Join(", ", expectedShape)}] for this layer; found [{string.Join(", ", state.Shape)}].");
        }

        var n = layer.OutFeatures * layer.InFeatures;
        var blocks = BlockSizes.BlockCount(n, state.BlockSize);
        Expect(ckpt, prefix + "weight", ScalarType.Byte, (n + 1) / 2);
        Expect(ckpt, prefix + "weight.quant_map", ScalarType.Float32, 16);
        using (var map = ckpt.ReadTensor(prefix + "weight.quant_map"))
        using (var standard = tensor(FourBitCodebook.Codes(state.QuantType)))
        {
            if (!map.allclose(standard, rtol: 0, atol: 1e-3))
            {
                throw new QuantizedStateException(source, prefix + "weight.quant_map", $"the code table is not the {FourBitCodebook.Name(state.QuantType)} table.");
            }
        }

        var nested = state.NestedBlockSize is not null;
        if (nested != ckpt.Contains(prefix + "weight.nested_absmax"))
        {
            throw new QuantizedStateException(source, prefix + "weight.absmax", nested
                ? "the quant state is double-quantized but weight.nested_absmax is missing."
                : "weight.nested_absmax is present but the quant state has no nested_offset/nested_blocksize.");
        }

        Expect(ckpt, prefix + "weight.absmax", nested ? ScalarType.Byte : ScalarType.Float32, blocks);
        var device = layer.Device;
        var packed = Read(ckpt, prefix + "weight", device, (n + 1) / 2, 1);
        Quantized4BitTensor restored;
        if (nested)
        {
            var nestedBlocks = BlockSizes.BlockCount(blocks, state.NestedBlockSize!.Value);
            Expect(ckpt, prefix + "weight.nested_absmax", ScalarType.Float32, nestedBlocks);
            Expect(ckpt, prefix + "weight.nested_quant_map", ScalarType.Float32, 256);
            var double8 = Blockwise8BitTensor.FromTensors(Read(ckpt, prefix + "weight.absmax", device), Read(ckpt, prefix + "weight.nested_absmax", device),
                Read(ckpt, prefix + "weight.nested_quant_map", device), state.NestedBlockSize.Value);
            restored = new Quantized4BitTensor(expectedShape, state.QuantType, state.BlockSize, state.DType, packed, null, double8, state.NestedOffset!.Value);
        }
        else
        {
            restored = new Quantized4BitTensor(expectedShape, state.QuantType, state.BlockSize, state.DType, packed,
                Read(ckpt, prefix + "weight.absmax", device), null, 0f);
        }

        layer.SetQuantized(restored);
    }

    /// <summary>Reads, validates and installs a saved 8-bit weight.</summary>
    public static void Restore8Bit(SafetensorsCheckpoint ckpt, string prefix, Linear8bit layer)
    {
        var source = ckpt.Source;
        long rows = layer.OutFeatures, cols = layer.InFeatures;
        Expect(ckpt, prefix + "weight", ScalarType.Int8, rows * cols);
        Expect(ckpt, prefix + "SCB", ScalarType.Float32, rows);
        if (ckpt.Contains(prefix + "weight_format"))
        {
            using var format = ckpt.ReadTensor(prefix + "weight_format");
            if (format.numel() != 1 || format.to(ScalarType.Int64).item<long>() != 0)
            {
                throw new QuantizedStateException(source, prefix + "weight_format", "only the row-major int8 format (0) is supported.");
            }
        }

        var device = layer.Device;
        Tensor? columns = null, values = null;
        if (ckpt.Contains(prefix + "weight.outlier_columns"))
        {
            var k = ckpt.GetInfo(prefix + "weight.outlier_columns").ElementCount;
            Expect(ckpt, prefix + "weight.outlier_columns", ScalarType.Int64, k);
            var info = ckpt.GetInfo(prefix + "weight.outlier_values");
            if (!info.Shape.SequenceEqual(new[] { rows, k }) || info.ScalarType is not (ScalarType.Float32 or ScalarType.BFloat16 or ScalarType.Float16))
            {
                throw new QuantizedStateException(source, prefix + "weight.outlier_values", $"expected a float tensor [{rows}, {k}]; found {info.DType} {info.ShapeText}.");
            }

            using var c = ckpt.ReadTensor(prefix + "weight.outlier_columns");
            if (k > 0 && (c.min().item<long>() < 0 || c.max().item<long>() >= cols))
            {
                throw new QuantizedStateException(source, prefix + "weight.outlier_columns", $"column indices must lie in [0, {cols}).");
            }

            columns = c.to(device);
            values = Read(ckpt, prefix + "weight.outlier_values", device);
        }

        var codes = Read(ckpt, prefix + "weight", device, rows, cols);
        var scb = Read(ckpt, prefix + "SCB", device, rows);
        layer.SetQuantized(new Int8RowwiseTensor(codes, scb, columns, values, values?.dtype ?? ScalarType.Float32));
    }

    /// <summary>Reads a tensor onto a device, optionally reshaped (the intermediate handles are disposed).</summary>
    private static Tensor Read(SafetensorsCheckpoint ckpt, string key, Device device, params long[] shape)
    {
        using var scope = NewDisposeScope();
        var t = ckpt.ReadTensor(key);
        if (device.type != DeviceType.CPU)
        {
            t = t.to(device);
        }

        if (shape.Length > 0 && !t.shape.SequenceEqual(shape))
        {
            t = t.view(shape);
        }

        return t.MoveToOuterDisposeScope();
    }

    /// <summary>Checks a stored tensor's dtype and element count.</summary>
    private static void Expect(SafetensorsCheckpoint ckpt, string key, ScalarType dtype, long? count)
    {
        var info = ckpt.GetInfo(key);
        if (info.ScalarType != dtype)
        {
            throw new QuantizedStateException(ckpt.Source, key, $"expected dtype {SafetensorsDType.FromScalarType(dtype)}; found {info.DType}.");
        }

        if (count is { } c && info.ElementCount != c)
        {
            throw new QuantizedStateException(ckpt.Source, key, $"expected {c} elements; found {info.ElementCount} ({info.ShapeText}).");
        }
    }
}
