using TorchSharp;

namespace Peft.Benchmarks;

/// <summary>Whether the CUDA pass can run, and why not.</summary>
internal static class CudaProbe
{
    /// <summary>True when <c>torch.cuda.is_available()</c>; otherwise <paramref name="reason"/> says why the GPU scenarios are skipped.</summary>
    public static bool IsAvailable(out string reason)
    {
        try
        {
            if (torch.cuda.is_available())
            {
                reason = $"CUDA available ({torch.cuda.device_count()} device(s))";
                return true;
            }

            reason = "torch.cuda.is_available() is false: this build references TorchSharp-cpu (no CUDA backend) or no GPU/driver is present. "
                     + "Reference TorchSharp-cuda-linux instead of TorchSharp-cpu on a GPU machine to run the CUDA pass.";
            return false;
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or TypeInitializationException or DllNotFoundException)
        {
            reason = $"the CUDA backend could not be loaded ({ex.GetType().Name}: {ex.Message})";
            return false;
        }
    }
}
