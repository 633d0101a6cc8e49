using Peft.Models;
using Peft.Quantization;
using Peft.Runtime;
using static TorchSharp.torch;

namespace Peft.Tests.Quantization;

/// <summary>Shared helpers for model-level quantization tests.</summary>
internal static class QuantizedModels
{
    public static readonly ModelLoadOptions Cpu = new() { Device = DeviceOption.Cpu };

    public static QuantizationConfig Config(string kind) => kind switch
    {
        "nf4-dq" => QuantizationConfig.Nf4(doubleQuant: true),
        "nf4" => QuantizationConfig.Nf4(doubleQuant: false),
        "fp4" => QuantizationConfig.Fp4(),
        "fp4-dq-128" => QuantizationConfig.Fp4(doubleQuant: true) with { Bnb4BitBlockSize = 128 },
        "int8" => QuantizationConfig.Int8(),
        "int8-outliers" => QuantizationConfig.Int8(threshold: 0.05), // low enough that some columns are kept exactly
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>A small llama-shaped config with realistic initialisation (std 0.02).</summary>
    public static ModelConfig Realistic(string modelType = "llama") => new()
    {
        ModelType = modelType,
        VocabSize = 256,
        HiddenSize = 128,
        IntermediateSize = 256,
        NumHiddenLayers = 2,
        NumAttentionHeads = 4,
        NumKeyValueHeads = 2,
        HeadDim = 32,
        QkvBias = modelType == "qwen2",
        InitializerRange = 0.02,
        MaxPositionEmbeddings = 128,
        BosTokenId = 1,
        EosTokenIds = new[] { 2 },
    };

    /// <summary>Every quantized layer's tensors, keyed by path and part.</summary>
    public static Dictionary<string, Tensor> QuantizedState(CausalLM model)
    {
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (path, module) in model.named_modules())
        {
            switch (module)
            {
                case Linear4bit { Weight: { } w }:
                    state[path + ".packed"] = w.Packed;
                    if (w.Absmax is not null)
                    {
                        state[path + ".absmax"] = w.Absmax;
                    }

                    if (w.DoubleQuantized is { } n)
                    {
                        state[path + ".codes"] = n.Codes;
                        state[path + ".absmax2"] = n.Absmax;
                        state[path + ".offset"] = tensor(w.AbsmaxOffset);
                    }

                    break;
                case Linear8bit { Weight: { } w8 }:
                    state[path + ".CB"] = w8.Codes;
                    state[path + ".SCB"] = w8.RowAbsmax;
                    if (w8.OutlierColumns is not null)
                    {
                        state[path + ".cols"] = w8.OutlierColumns;
                        state[path + ".vals"] = w8.OutlierValues!;
                    }

                    break;
            }

            if (module is QuantizedLinear { Bias: { } bias })
            {
                state[path + ".bias"] = bias;
            }
        }

        return state;
    }
}
