using System.Text.Json.Nodes;
using Peft.Models;
using Peft.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Quantization;

/// <summary>
/// How to quantize a model's frozen linear projections, in the vocabulary of transformers' <c>BitsAndBytesConfig</c>
/// (<c>load_in_4bit</c>, <c>load_in_8bit</c>, <c>bnb_4bit_quant_type</c>, <c>bnb_4bit_use_double_quant</c>,
/// <c>bnb_4bit_compute_dtype</c>, <c>llm_int8_threshold</c>, <c>llm_int8_skip_modules</c>). It is written to and read
/// from the <c>quantization_config</c> object of a saved model's <c>config.json</c>.
/// </summary>
/// <remarks>
/// Only the projections a model builds through <see cref="ModelLoadOptions.LinearFactory"/> are quantized; the
/// token embeddings, the norms and <c>lm_head</c> always stay in full precision.
/// </remarks>
/// <example>
/// <code>
/// var qlora = QuantizationConfig.Nf4(doubleQuant: true);
/// using var model = QuantizedModel.FromPretrained("models/SmolLM2-135M", qlora);
/// </code>
/// </example>
public sealed record QuantizationConfig
{
    private static readonly string[] DefaultSkipModules = { "lm_head" };

    /// <summary>Quantize to 4 bits (<c>load_in_4bit</c>).</summary>
    public bool LoadIn4Bit { get; init; }

    /// <summary>Quantize to int8 (<c>load_in_8bit</c>).</summary>
    public bool LoadIn8Bit { get; init; }

    /// <summary>The 4-bit data type (<c>bnb_4bit_quant_type</c>), NF4 by default.</summary>
    public QuantType Bnb4BitQuantType { get; init; } = QuantType.Nf4;

    /// <summary>Double-quantize the 4-bit absmax values to 8 bits (<c>bnb_4bit_use_double_quant</c>), ≈ 0.37 bits/parameter saved.</summary>
    public bool Bnb4BitUseDoubleQuant { get; init; }

    /// <summary>Dtype the quantized layers compute in (<c>bnb_4bit_compute_dtype</c>); null uses the model's compute dtype.</summary>
    public ScalarType? Bnb4BitComputeDtype { get; init; }

    /// <summary>Elements per 4-bit block (<c>bnb_4bit_blocksize</c>): a power of two from 32 to 4096; 64 as in bitsandbytes.</summary>
    public int Bnb4BitBlockSize { get; init; } = 64;

    /// <summary>Outlier threshold of the int8 format (<c>llm_int8_threshold</c>), 6.0 by default; 0 keeps no outliers.</summary>
    public double LlmInt8Threshold { get; init; } = 6.0;

    /// <summary>Modules left in full precision (<c>llm_int8_skip_modules</c>); null means <c>["lm_head"]</c>.</summary>
    public IReadOnlyList<string>? LlmInt8SkipModules { get; init; }

    /// <summary>The effective skip list: <see cref="LlmInt8SkipModules"/> or <c>["lm_head"]</c>.</summary>
    public IReadOnlyList<string> SkipModules => LlmInt8SkipModules ?? DefaultSkipModules;

    /// <summary>QLoRA's setting: NF4, block size 64, double quantization on by default.</summary>
    /// <param name="doubleQuant">Double-quantize the absmax values.</param>
    /// <param name="computeDtype">Compute dtype; null uses the model's.</param>
    public static QuantizationConfig Nf4(bool doubleQuant = true, ScalarType? computeDtype = null) =>
        new() { LoadIn4Bit = true, Bnb4BitQuantType = QuantType.Nf4, Bnb4BitUseDoubleQuant = doubleQuant, Bnb4BitComputeDtype = computeDtype };

    /// <summary>FP4, block size 64.</summary>
    /// <param name="doubleQuant">Double-quantize the absmax values.</param>
    /// <param name="computeDtype">Compute dtype; null uses the model's.</param>
    public static QuantizationConfig Fp4(bool doubleQuant = false, ScalarType? computeDtype = null) =>
        new() { LoadIn4Bit = true, Bnb4BitQuantType = QuantType.Fp4, Bnb4BitUseDoubleQuant = doubleQuant, Bnb4BitComputeDtype = computeDtype };

    /// <summary>Row-wise int8 (LLM.int8()).</summary>
    /// <param name="threshold">Outlier threshold; 0 keeps no outliers.</param>
    public static QuantizationConfig Int8(double threshold = 6.0) => new() { LoadIn8Bit = true, LlmInt8Threshold = threshold };

    /// <summary>Checks the combination of settings.</summary>
    /// <exception cref="ArgumentException">Neither or both of 4-bit and 8-bit, a bad block size, threshold or compute dtype.</exception>
    public void Validate()
    {
        if (LoadIn4Bit == LoadIn8Bit)
        {
            throw new ArgumentException($"Set exactly one of load_in_4bit and load_in_8bit; found load_in_4bit={LoadIn4Bit}, load_in_8bit={LoadIn8Bit}.");
        }

        if (!BlockSizes.IsValid(Bnb4BitBlockSize))
        {
            throw new ArgumentException($"bnb_4bit_blocksize must be a power of two from {BlockSizes.Min} to {BlockSizes.Max}; found {Bnb4BitBlockSize}.");
        }

        if (!double.IsFinite(LlmInt8Threshold) || LlmInt8Threshold < 0)
        {
            throw new ArgumentException($"llm_int8_threshold must be a finite number ≥ 0; found {LlmInt8Threshold}.");
        }

        if (Bnb4BitComputeDtype is { } t && t is not (ScalarType.Float32 or ScalarType.BFloat16 or ScalarType.Float16))
        {
            throw new ArgumentException($"bnb_4bit_compute_dtype must be float32, bfloat16 or float16; found {t}.");
        }

        if (SkipModules.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("llm_int8_skip_modules must not contain empty names.");
        }
    }

    /// <summary>
    /// Whether the module at <paramref name="modulePath"/> is quantized: not when some skip entry is a run of whole
    /// dotted components of the path (<c>lm_head</c>, <c>q_proj</c>, <c>self_attn</c>, <c>model.layers.0</c>, or the full path).
    /// </summary>
    /// <param name="modulePath">A module path such as <c>model.layers.0.self_attn.q_proj</c>.</param>
    public bool ShouldQuantize(string modulePath)
    {
        ArgumentNullException.ThrowIfNull(modulePath);
        var padded = "." + modulePath + ".";
        return !SkipModules.Any(s => padded.Contains("." + s.Trim('.') + ".", StringComparison.Ordinal));
    }

    /// <summary>
    /// A <see cref="ModelLoadOptions.LinearFactory"/> that builds <see cref="Linear4bit"/> or <see cref="Linear8bit"/>
    /// layers (which quantize their weights as the checkpoint streams in) for every projection not skipped.
    /// </summary>
    /// <param name="device">Device of the quantized state; null uses the spec's device (the CPU when that is the meta device).</param>
    /// <param name="fallback">Builds skipped projections; null builds dense <see cref="Linear"/> layers.</param>
    /// <exception cref="ArgumentException">The configuration is invalid (see <see cref="Validate"/>).</exception>
    public Func<LinearSpec, nn.Module<Tensor, Tensor>> CreateLinearFactory(Device? device = null, Func<LinearSpec, nn.Module<Tensor, Tensor>>? fallback = null)
    {
        Validate();
        return spec =>
        {
            if (!ShouldQuantize(spec.Path))
            {
                return fallback is null ? spec.CreateDense() : fallback(spec);
            }

            var target = device ?? (spec.Device.type == DeviceType.META ? CPU : spec.Device);
            return LoadIn4Bit
                ? Linear4bit.Create(spec.InFeatures, spec.OutFeatures, spec.HasBias, Bnb4BitQuantType, Bnb4BitBlockSize, Bnb4BitUseDoubleQuant,
                    Bnb4BitComputeDtype, spec.StorageType, target)
                : Linear8bit.Create(spec.InFeatures, spec.OutFeatures, spec.HasBias, LlmInt8Threshold, Bnb4BitComputeDtype, spec.StorageType, target);
        };
    }

    /// <summary>The <c>quantization_config</c> object transformers writes (<c>quant_method: "bitsandbytes"</c>), keys sorted.</summary>
    public JsonObject ToJson() => QuantizationConfigJson.Write(this);

    /// <summary>Reads a <c>quantization_config</c> object.</summary>
    /// <param name="json">The object.</param>
    /// <param name="source">The file it came from, for errors.</param>
    /// <exception cref="ModelConfigException">A field is missing, of the wrong type, or unsupported (the message names it).</exception>
    public static QuantizationConfig FromJson(JsonObject json, string source = "config.json") => QuantizationConfigJson.Read(json, source);
}
