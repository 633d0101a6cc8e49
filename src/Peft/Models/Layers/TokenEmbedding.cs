using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Peft.Models.Layers;

/// <summary>
/// Token embedding lookup with parameter <c>weight</c> [vocab, hidden]; rows are gathered in the storage dtype
/// and returned in the compute dtype.
/// </summary>
public sealed class TokenEmbedding : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "weight")]
    private Parameter _weight;

    private readonly ScalarType _computeType;

    /// <summary>Creates the embedding with uninitialised weights.</summary>
    /// <param name="vocab">Vocabulary size.</param>
    /// <param name="hidden">Embedding width.</param>
    /// <param name="dtype">Storage dtype.</param>
    /// <param name="computeType">Dtype of the returned embeddings.</param>
    /// <param name="device">Device.</param>
    public TokenEmbedding(long vocab, long hidden, ScalarType dtype, ScalarType computeType, Device device)
        : base("TokenEmbedding")
    {
        _weight = new Parameter(empty(new[] { vocab, hidden }, dtype, device), requires_grad: false);
        _computeType = computeType;
        RegisterComponents();
    }

    /// <summary>The embedding matrix [vocab, hidden].</summary>
    public Parameter Weight => _weight;

    /// <summary>Looks up embeddings.</summary>
    /// <param name="input">Token ids [batch, seq] (int64).</param>
    /// <returns>[batch, seq, hidden] in the compute dtype.</returns>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var flat = input.reshape(-1);
        var rows = _weight.index_select(0, flat);
        if (rows.dtype != _computeType)
        {
            rows = rows.to(_computeType);
        }

        var shape = input.shape.Append(_weight.shape[1]).ToArray();
        return rows.view(shape).MoveToOuterDisposeScope();
    }
}
