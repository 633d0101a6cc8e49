using Peft.Models;

namespace Peft.Benchmarks;

/// <summary>The architectures the benchmarks use.</summary>
internal static class Shapes
{
    /// <summary>A small Llama: hidden 256, 8 layers, vocab 32000; batch 4 × 128.</summary>
    public static ModelShape Tiny { get; } = new("tiny", Llama(vocab: 32000, hidden: 256, intermediate: 688, layers: 8, heads: 8, kvHeads: 4, headDim: 32, tied: false), 4, 128);

    /// <summary>SmolLM2-135M's architecture (random weights): hidden 576, 30 layers, vocab 49152, tied; batch 4 × 256.</summary>
    public static ModelShape Smol135M { get; } = new("smol135m", Llama(vocab: 49152, hidden: 576, intermediate: 1536, layers: 30, heads: 9, kvHeads: 3, headDim: 64, tied: true), 4, 256);

    /// <summary>
    /// The checkpoint-loading model: hidden 1024, 16 layers (about 1.02 GB as float32 safetensors), or 2 layers
    /// (about 0.36 GB) in quick mode.
    /// </summary>
    public static ModelShape Load(bool quick) =>
        new("load", Llama(vocab: 32000, hidden: 1024, intermediate: 2816, layers: quick ? 2 : 16, heads: 16, kvHeads: 8, headDim: 64, tied: false), 1, 1);

    /// <summary>The shape of a name used in scenario names.</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static ModelShape Get(string name, bool quick) => name switch
    {
        "tiny" => Tiny,
        "smol135m" => Smol135M,
        "load" => Load(quick),
        _ => throw new ArgumentException($"Unknown model shape '{name}'; expected tiny, smol135m or load."),
    };

    private static ModelConfig Llama(int vocab, int hidden, int intermediate, int layers, int heads, int kvHeads, int headDim, bool tied) => new()
    {
        ModelType = "llama",
        VocabSize = vocab,
        HiddenSize = hidden,
        IntermediateSize = intermediate,
        NumHiddenLayers = layers,
        NumAttentionHeads = heads,
        NumKeyValueHeads = kvHeads,
        HeadDim = headDim,
        TieWordEmbeddings = tied,
        MaxPositionEmbeddings = 2048,
        RmsNormEps = 1e-5,
        BosTokenId = 1,
        EosTokenIds = new[] { 2 },
    };
}
