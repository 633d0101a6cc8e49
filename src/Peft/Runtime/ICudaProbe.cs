namespace Peft.Runtime;

/// <summary>Answers whether CUDA is usable; replaceable in tests.</summary>
internal interface ICudaProbe
{
    /// <summary>Number of CUDA devices TorchSharp can use; 0 when no CUDA backend is loaded or no GPU is present.</summary>
    int DeviceCount();
}
