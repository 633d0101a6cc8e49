using TorchSharp;
using TorchSharp.Modules;

namespace Peft.Models.Layers;

/// <summary>
/// A linear projection <c>y = x·Wᵀ + b</c> with <c>W</c> of shape [out, in], whatever its storage: plain
/// (<see cref="Linear"/>) or quantized. Adapters wrap any implementation the same way.
/// </summary>
public interface ILinearLayer
{
    /// <summary>Input features (<c>in</c>).</summary>
    long InFeatures { get; }

    /// <summary>Output features (<c>out</c>).</summary>
    long OutFeatures { get; }

    /// <summary>The bias [out], or null.</summary>
    Parameter? Bias { get; }

    /// <summary>The weight as a dense tensor [out, in] of <paramref name="dtype"/> (dequantized when stored quantized). The caller owns the result.</summary>
    /// <param name="dtype">The element type wanted, usually the compute dtype.</param>
    torch.Tensor DenseWeight(torch.ScalarType dtype);

    /// <summary>Applies the projection.</summary>
    /// <param name="input">[..., in]</param>
    /// <returns>[..., out]</returns>
    torch.Tensor forward(torch.Tensor input);
}
