namespace Peft.Models;

/// <summary>
/// The <c>rope_scaling</c> entry of a Hugging Face config: how rotary position embeddings are stretched for
/// longer contexts. Supported types: <c>linear</c>, <c>dynamic</c> (NTK-aware, recomputed when the sequence is
/// longer than <c>max_position_embeddings</c>) and <c>llama3</c> (Llama 3.1+ frequency-dependent scaling).
/// </summary>
/// <param name="Type">The <c>rope_type</c> (or legacy <c>type</c>) value.</param>
/// <param name="Factor">The scaling <c>factor</c>.</param>
/// <param name="LowFreqFactor"><c>low_freq_factor</c> (llama3 only).</param>
/// <param name="HighFreqFactor"><c>high_freq_factor</c> (llama3 only).</param>
/// <param name="OriginalMaxPositionEmbeddings"><c>original_max_position_embeddings</c> (llama3; optional for others).</param>
public sealed record RopeScaling(
    string Type,
    double Factor,
    double LowFreqFactor = 1.0,
    double HighFreqFactor = 4.0,
    int? OriginalMaxPositionEmbeddings = null)
{
    /// <summary>The scaling types Peft implements.</summary>
    public static IReadOnlyList<string> SupportedTypes { get; } = new[] { "linear", "dynamic", "llama3" };
}
