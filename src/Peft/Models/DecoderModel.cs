using Peft.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Peft.Models;

/// <summary>
/// The decoder stack (transformers' <c>LlamaModel</c>, the <c>model.</c> prefix of checkpoint keys):
/// <c>embed_tokens</c>, <c>layers.N</c> and the final <c>norm</c>.
/// </summary>
public sealed class DecoderModel : nn.Module
{
    [ComponentName(Name = "embed_tokens")]
    private TokenEmbedding _embedTokens;

    [ComponentName(Name = "layers")]
    private ModuleList<DecoderLayer> _layers;

    [ComponentName(Name = "norm")]
    private RmsNorm _norm;

    internal DecoderModel(ModelConfig config, ScalarType storage, ScalarType compute, Device device, Func<LinearSpecArgs, nn.Module<Tensor, Tensor>> linear)
        : base("DecoderModel")
    {
        _embedTokens = new TokenEmbedding(config.VocabSize, config.HiddenSize, storage, compute, device);
        _layers = new ModuleList<DecoderLayer>(Enumerable.Range(0, config.NumHiddenLayers)
            .Select(i => new DecoderLayer(config, i, $"model.layers.{i}", storage, device, linear)).ToArray());
        _norm = new RmsNorm(config.HiddenSize, config.RmsNormEps, storage, device);
        RegisterComponents();
    }

    /// <summary>The token embedding.</summary>
    public TokenEmbedding EmbedTokens => _embedTokens;

    /// <summary>The decoder layers.</summary>
    public IReadOnlyList<DecoderLayer> Layers => _layers.ToList();

    /// <summary>
    /// Runs one layer; replaced by the trainer to recompute activations in the backward pass (activation
    /// checkpointing). Arguments: layer index, layer, input [batch, seq, hidden]; returns the layer output.
    /// </summary>
    internal Func<int, Func<Tensor, Tensor>, Tensor, Tensor>? LayerRunner { get; set; }

    /// <summary>Embeds and runs every layer and the final norm.</summary>
    /// <param name="inputIds">[batch, seq]</param>
    /// <param name="cos">[batch, 1, seq, headDim]</param>
    /// <param name="sin">[batch, 1, seq, headDim]</param>
    /// <param name="masks">The forward's masking decision.</param>
    /// <param name="cache">KV cache or null.</param>
    /// <param name="hiddenStates">When not null, receives the embeddings, each layer's output but the last, and the normed final states.</param>
    /// <returns>[batch, seq, hidden] after the final norm.</returns>
    internal Tensor Forward(Tensor inputIds, Tensor cos, Tensor sin, AttentionMasks masks, KvCache? cache, List<Tensor>? hiddenStates)
    {
        var h = _embedTokens.forward(inputIds);
        if (LayerRunner is not null)
        {
            // Recomputed layers run again during backward, after this forward's scope has freed its tensors.
            cos = cos.alias().DetachFromDisposeScope();
            sin = sin.alias().DetachFromDisposeScope();
            masks = masks.Retain();
        }

        for (var i = 0; i < _layers.Count; i++)
        {
            hiddenStates?.Add(h);
            var layer = _layers[i];
            Tensor next;
            if (LayerRunner is { } runner)
            {
                next = runner(i, x => layer.Forward(x, cos, sin, masks, cache), h);
            }
            else
            {
                next = layer.Forward(h, cos, sin, masks, cache);
            }

            if (hiddenStates is null)
            {
                h.Dispose();
            }

            h = next;
        }

        var normed = _norm.forward(h);
        h.Dispose();
        hiddenStates?.Add(normed);
        return normed;
    }
}
