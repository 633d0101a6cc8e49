using Microsoft.Extensions.Logging;
using Peft.Models.Layers;
using Peft.Runtime;
using static TorchSharp.torch;

namespace Peft.Models;

/// <summary>How a model is built or loaded.</summary>
public sealed record ModelLoadOptions
{
    /// <summary>The device; <see cref="DeviceOption.Auto"/> (CUDA when available) by default. <c>PEFT_DEVICE</c> overrides it.</summary>
    public DeviceOption Device { get; init; } = DeviceOption.Auto;

    /// <summary>
    /// Dtype the weights are stored in (float32, bfloat16 or float16). Default: float32 on the CPU; on CUDA the
    /// checkpoint's <c>torch_dtype</c>.
    /// </summary>
    public ScalarType? StorageType { get; init; }

    /// <summary>Dtype activations are computed in. Default: float32 on the CPU (bf16 is slow there); on CUDA the storage dtype.</summary>
    public ScalarType? ComputeType { get; init; }

    /// <summary>
    /// Build every module on the meta device (no memory) and materialise each parameter on the target device as
    /// its checkpoint tensor streams in. Peak memory stays near the final model plus the largest tensor.
    /// </summary>
    public bool LowMemory { get; init; }

    /// <summary>
    /// Builds each linear projection; null builds dense <see cref="Linear"/> layers. Quantization plugs in here
    /// to build quantized layers that quantize their weights as they load.
    /// </summary>
    public Func<LinearSpec, nn.Module<Tensor, Tensor>>? LinearFactory { get; init; }

    /// <summary>Receives the device decision and loading progress; null for none.</summary>
    public ILogger? Logger { get; init; }
}
