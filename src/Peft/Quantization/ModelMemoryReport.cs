using System.Globalization;
using System.Text;
using Peft.Models.Layers;
using Peft.Runtime;
using TorchSharp;

namespace Peft.Quantization;

/// <summary>
/// Where a model's memory goes: bytes and bytes per parameter for each module kind — token embeddings, norms,
/// dense linears, <c>lm_head</c>, quantized linears split into packed codes / absmax / double-quantization state /
/// bias, and any other parameters (e.g. adapters) — as data and as a text table (<see cref="ToString"/>).
/// Tied weights are counted once.
/// </summary>
/// <example>
/// <code>
/// var report = ModelMemoryReport.Create(model);
/// Console.WriteLine(report);                         // table
/// Console.WriteLine(report.QuantizedBytesPerParameter); // ≈ 0.516 for NF4 + double quant
/// </code>
/// </example>
public sealed class ModelMemoryReport
{
    private ModelMemoryReport(IReadOnlyList<ModelMemoryReportRow> parts)
    {
        Parts = parts;
        Kinds = parts.GroupBy(p => p.Kind).Select(g => new ModelMemoryReportRow(g.Key, "total", g.Max(p => p.Modules),
            g.Where(p => p.Part is "weight" or "packed codes" or "int8 codes" or "bias" or "trainable" or "frozen").Sum(p => p.Parameters), g.Sum(p => p.Bytes))).ToList();
        TotalParameters = Kinds.Sum(k => k.Parameters);
        TotalBytes = Kinds.Sum(k => k.Bytes);
        var quantizedWeights = parts.Where(p => p.Kind.StartsWith("linear 4-bit", StringComparison.Ordinal) || p.Kind.StartsWith("linear 8-bit", StringComparison.Ordinal)).ToList();
        QuantizedParameters = quantizedWeights.Where(p => p.Part is "packed codes" or "int8 codes").Sum(p => p.Parameters);
        QuantizedWeightBytes = quantizedWeights.Where(p => p.Part != "bias").Sum(p => p.Bytes);
    }

    /// <summary>One row per (kind, storage part).</summary>
    public IReadOnlyList<ModelMemoryReportRow> Parts { get; }

    /// <summary>One row per kind with its summed parameters and bytes (<c>Part</c> = <c>total</c>).</summary>
    public IReadOnlyList<ModelMemoryReportRow> Kinds { get; }

    /// <summary>All parameters (quantized weights count their logical elements).</summary>
    public long TotalParameters { get; }

    /// <summary>All bytes held by parameters and quantized state.</summary>
    public long TotalBytes { get; }

    /// <summary>Weight elements stored quantized.</summary>
    public long QuantizedParameters { get; }

    /// <summary>Bytes of the quantized weights (codes, scales, double-quantization state, outliers; bias excluded).</summary>
    public long QuantizedWeightBytes { get; }

    /// <summary><c>QuantizedWeightBytes / QuantizedParameters</c> (≈ 0.516 for NF4 with double quantization at block size 64).</summary>
    public double QuantizedBytesPerParameter => QuantizedParameters == 0 ? 0 : (double)QuantizedWeightBytes / QuantizedParameters;

    /// <summary>Measures a model (or any module tree).</summary>
    /// <param name="model">The root module.</param>
    public static ModelMemoryReport Create(torch.nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var rows = new Dictionary<(string Kind, string Part), (int Modules, long Parameters, long Bytes)>();
        var seen = new HashSet<IntPtr>();
        void Add(string kind, string part, long parameters, long bytes, bool newModule)
        {
            rows.TryGetValue((kind, part), out var r);
            rows[(kind, part)] = (r.Modules + (newModule ? 1 : 0), r.Parameters + parameters, r.Bytes + bytes);
        }

        void AddTensor(string kind, string part, torch.Tensor t, bool newModule)
        {
            if (seen.Add(DataKey(t)))
            {
                Add(kind, part, t.numel(), t.numel() * TensorMemory.ElementSize(t.dtype), newModule);
            }
        }

        void Walk(torch.nn.Module module, string path)
        {
            switch (module)
            {
                case Linear4bit l4 when l4.Weight is { } w:
                    var kind4 = $"linear 4-bit {FourBitCodebook.Name(w.QuantType)}{(w.IsDoubleQuantized ? " + double quant" : string.Empty)}";
                    Add(kind4, "packed codes", w.ElementCount, w.PackedBytes, true);
                    Add(kind4, w.IsDoubleQuantized ? "absmax (8-bit)" : "absmax (fp32)", w.ElementCount, w.AbsmaxBytes, true);
                    if (w.IsDoubleQuantized)
                    {
                        Add(kind4, "double-quant state", w.ElementCount, w.DoubleQuantBytes, true);
                    }

                    AddBias(kind4, l4);
                    return;
                case Linear8bit l8 when l8.Weight is { } w8:
                    const string kind8 = "linear 8-bit";
                    Add(kind8, "int8 codes", w8.ElementCount, w8.CodeBytes, true);
                    Add(kind8, "row scales", w8.ElementCount, w8.ScaleBytes, true);
                    if (w8.OutlierBytes > 0)
                    {
                        Add(kind8, "outlier columns", w8.OutlierValues!.numel(), w8.OutlierBytes, true);
                    }

                    AddBias(kind8, l8);
                    return;
                case TokenEmbedding e:
                    AddTensor("embeddings", "weight", e.Weight, true);
                    return;
                case RmsNorm n:
                    AddTensor("norms", "weight", n.Weight, true);
                    return;
                case Linear l:
                    var kind = path == "lm_head" ? "lm_head" : "linear (dense)";
                    AddTensor(kind, "weight", l.Weight, true);
                    if (l.Bias is { } b)
                    {
                        AddTensor(kind, "bias", b, true);
                    }

                    return;
            }

            foreach (var (_, p) in module.named_parameters(recurse: false))
            {
                AddTensor("other", p.requires_grad ? "trainable" : "frozen", p, false);
            }

            foreach (var (name, child) in module.named_children())
            {
                Walk(child, path.Length == 0 ? name : path + "." + name);
            }
        }

        void AddBias(string kind, QuantizedLinear layer)
        {
            if (layer.Bias is { } bias)
            {
                AddTensor(kind, "bias", bias, true);
            }
        }

        Walk(model, string.Empty);
        return new ModelMemoryReport(rows.Select(r => new ModelMemoryReportRow(r.Key.Kind, r.Key.Part, r.Value.Modules, r.Value.Parameters, r.Value.Bytes)).ToList());
    }

    /// <summary>
    /// Estimates the bytes a model would hold, from its configuration alone (nothing is loaded): token embeddings,
    /// norms and an untied <c>lm_head</c> in <paramref name="storageType"/>; each projection either dense in
    /// <paramref name="storageType"/> or, when <paramref name="quantization"/> quantizes it, as packed codes plus scales
    /// (4-bit: ⌈n/2⌉ code bytes and a float32 absmax per block, or with double quantization an 8-bit absmax per block
    /// plus a float32 scale per 256 blocks and an offset; int8: one byte per element plus a float32 scale per row).
    /// Biases stay in <paramref name="storageType"/>. The figure equals <see cref="TotalBytes"/> of the loaded model
    /// except for int8 outlier columns, which depend on the weights and are not included.
    /// </summary>
    /// <param name="config">The model's configuration.</param>
    /// <param name="storageType">Dtype of the parameters that are not quantized (float32, bfloat16, float16, …).</param>
    /// <param name="quantization">How projections are quantized; null for a dense model.</param>
    /// <returns>The estimated bytes of parameters and quantized state.</returns>
    /// <exception cref="ArgumentException">The quantization settings are invalid.</exception>
    public static long Estimate(Models.ModelConfig config, torch.ScalarType storageType, QuantizationConfig? quantization = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        return MemoryEstimator.Bytes(config, storageType, quantization);
    }

    /// <summary>Identifies a tensor's storage so tied weights are counted once.</summary>
    private static IntPtr DataKey(torch.Tensor t) => t.device_type == DeviceType.CPU && t.is_contiguous() && t.numel() > 0 ? TensorMemory.DataPointer(t) : t.Handle;

    /// <summary>The report as a fixed-width table: each kind's total, then its parts, then the overall total.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        sb.AppendLine(string.Format(c, "{0,-34} {1,-20} {2,7} {3,14} {4,14} {5,11}", "kind", "part", "modules", "parameters", "bytes", "bytes/param"));
        foreach (var kind in Kinds)
        {
            sb.AppendLine(string.Format(c, "{0,-34} {1,-20} {2,7} {3,14:N0} {4,14:N0} {5,11:F4}", kind.Kind, kind.Part, kind.Modules, kind.Parameters, kind.Bytes, kind.BytesPerParameter));
            foreach (var part in Parts.Where(p => p.Kind == kind.Kind))
            {
                sb.AppendLine(string.Format(c, "{0,-34} {1,-20} {2,7} {3,14:N0} {4,14:N0} {5,11:F4}", string.Empty, part.Part, part.Modules, part.Parameters, part.Bytes, part.BytesPerParameter));
            }
        }

        sb.AppendLine(string.Format(c, "{0,-34} {1,-20} {2,7} {3,14:N0} {4,14:N0} {5,11:F4}", "total", string.Empty, string.Empty, TotalParameters, TotalBytes,
            TotalParameters == 0 ? 0 : (double)TotalBytes / TotalParameters));
        if (QuantizedParameters > 0)
        {
            sb.AppendLine(string.Format(c, "quantized weights: {0:N0} parameters, {1:N0} bytes, {2:F4} bytes/param ({3:F3} bits)",
                QuantizedParameters, QuantizedWeightBytes, QuantizedBytesPerParameter, QuantizedBytesPerParameter * 8));
        }

        return sb.ToString();
    }
}
