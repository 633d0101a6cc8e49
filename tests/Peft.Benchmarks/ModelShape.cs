using Peft.Models;

namespace Peft.Benchmarks;

/// <summary>A model architecture with the batch it is benchmarked at.</summary>
/// <param name="Name">Short name used in scenario names (<c>tiny</c>, <c>smol135m</c>, <c>load</c>).</param>
/// <param name="Config">The architecture (model_type llama, random weights).</param>
/// <param name="BatchSize">Rows per training or forward batch.</param>
/// <param name="SequenceLength">Tokens per row.</param>
internal sealed record ModelShape(string Name, ModelConfig Config, int BatchSize, int SequenceLength)
{
    /// <summary>Tokens in one batch.</summary>
    public int TokensPerBatch => BatchSize * SequenceLength;

    /// <summary>
    /// Parameters that take part in a matrix multiply per token: every projection of every layer plus the LM head
    /// (the tied embedding when tied). The input embedding lookup and the norms do no multiply-adds and are left out.
    /// </summary>
    public long MatmulParameters
    {
        get
        {
            var c = Config;
            var inputEmbedding = c.TieWordEmbeddings ? 0 : (long)c.VocabSize * c.HiddenSize;
            var norms = (2L * c.NumHiddenLayers + 1) * c.HiddenSize;
            return c.ParameterCount() - inputEmbedding - norms;
        }
    }

    /// <summary>One line describing the shape.</summary>
    public string Describe() =>
        $"{Name}: llama, vocab {Config.VocabSize}, hidden {Config.HiddenSize}, intermediate {Config.IntermediateSize}, "
        + $"{Config.NumHiddenLayers} layers, {Config.NumAttentionHeads} heads / {Config.NumKeyValueHeads} KV heads, head_dim {Config.HeadDim}, "
        + $"{(Config.TieWordEmbeddings ? "tied" : "untied")}; {Config.ParameterCount() / 1e6:F1} M parameters; batch {BatchSize} × {SequenceLength}";
}
