using Peft.Models;
using Peft.Runtime;
using static TorchSharp.torch;

namespace Peft.Quantization;

/// <summary>
/// Bytes a model would hold, computed from its configuration alone (no weights are read or allocated), with the same
/// accounting as <see cref="ModelMemoryReport"/>: embeddings, norms, an untied <c>lm_head</c> and skipped projections in
/// the storage dtype; quantized projections as packed codes plus scales (and double-quantization state).
/// </summary>
internal static class MemoryEstimator
{
    public static long Bytes(ModelConfig config, ScalarType storage, QuantizationConfig? quantization)
    {
        quantization?.Validate();
        long size = TensorMemory.ElementSize(storage);
        long h = config.HiddenSize, q = (long)config.NumAttentionHeads * config.HeadDim, kv = (long)config.NumKeyValueHeads * config.HeadDim;
        long inter = config.IntermediateSize;
        var projections = new (string Name, long In, long Out, bool Bias)[]
        {
            ("self_attn.q_proj", h, q, config.QkvBias), ("self_attn.k_proj", h, kv, config.QkvBias), ("self_attn.v_proj", h, kv, config.QkvBias),
            ("self_attn.o_proj", q, h, config.OutputBias), ("mlp.gate_proj", h, inter, config.MlpBias), ("mlp.up_proj", h, inter, config.MlpBias),
            ("mlp.down_proj", inter, h, config.MlpBias),
        };

        var total = config.VocabSize * h * size                                   // embed_tokens
                    + ((2L * config.NumHiddenLayers) + 1) * h * size              // input/post-attention norms, final norm
                    + (config.TieWordEmbeddings ? 0 : config.VocabSize * h * size); // lm_head stays dense
        for (var layer = 0; layer < config.NumHiddenLayers; layer++)
        {
            foreach (var (name, inFeatures, outFeatures, bias) in projections)
            {
                var path = $"model.layers.{layer}.{name}";
                total += bias ? outFeatures * size : 0;
                total += quantization is not null && quantization.ShouldQuantize(path)
                    ? QuantizedWeightBytes(inFeatures * outFeatures, outFeatures, quantization)
                    : inFeatures * outFeatures * size;
            }
        }

        return total;
    }

    /// <summary>Bytes of one quantized weight of <paramref name="n"/> elements and <paramref name="rows"/> rows (int8 outliers excluded).</summary>
    private static long QuantizedWeightBytes(long n, long rows, QuantizationConfig config)
    {
        if (config.LoadIn8Bit)
        {
            return n + (rows * 4); // int8 codes + a float32 scale per row
        }

        var blocks = BlockSizes.BlockCount(n, config.Bnb4BitBlockSize);
        var packed = (n + 1) / 2;
        return config.Bnb4BitUseDoubleQuant
            ? packed + blocks + (BlockSizes.BlockCount(blocks, 256) * 4) + 4 // 8-bit absmax, float32 per-256 scales, the mean offset
            : packed + (blocks * 4);
    }
}
