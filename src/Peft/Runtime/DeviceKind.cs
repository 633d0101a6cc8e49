namespace Peft.Runtime;

/// <summary>The kind of device a <see cref="DeviceOption"/> asks for.</summary>
public enum DeviceKind
{
    /// <summary>CUDA when TorchSharp reports an available CUDA backend, else CPU.</summary>
    Auto,

    /// <summary>The CPU.</summary>
    Cpu,

    /// <summary>An NVIDIA GPU through CUDA; the index picks which one.</summary>
    Cuda,
}
