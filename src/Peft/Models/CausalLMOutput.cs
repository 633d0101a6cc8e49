using static TorchSharp.torch;

namespace Peft.Models;

/// <summary>What <see cref="CausalLM.Forward"/> returns. Dispose it to free the tensors.</summary>
public sealed class CausalLMOutput : IDisposable
{
    internal CausalLMOutput(Tensor logits, Tensor? loss, IReadOnlyList<Tensor>? hiddenStates)
    {
        Logits = logits;
        Loss = loss;
        HiddenStates = hiddenStates;
    }

    /// <summary>Next-token logits [batch, seq, vocab] in float32 (or the compute dtype on GPU).</summary>
    public Tensor Logits { get; }

    /// <summary>The causal-LM loss (scalar) when labels were given: mean cross-entropy of shifted labels, ignoring −100.</summary>
    public Tensor? Loss { get; }

    /// <summary>When requested: the embeddings, the output of each layer but the last, and the normed final states, each [batch, seq, hidden].</summary>
    public IReadOnlyList<Tensor>? HiddenStates { get; }

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        Logits.Dispose();
        Loss?.Dispose();
        if (HiddenStates is not null)
        {
            foreach (var h in HiddenStates)
            {
                h.Dispose();
            }
        }
    }
}
