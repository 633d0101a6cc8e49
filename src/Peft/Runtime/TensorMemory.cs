using System.Runtime.InteropServices;
using TorchSharp;

namespace Peft.Runtime;

/// <summary>
/// Raw access to the memory of CPU tensors, for copying checkpoint bytes in and out without value conversion
/// and without the 2 GiB limit of <see cref="torch.Tensor.bytes"/>.
/// </summary>
internal static unsafe class TensorMemory
{
    private static delegate* unmanaged<IntPtr, IntPtr> s_dataPointer;

    /// <summary>Pointer to the first element of a contiguous CPU tensor.</summary>
    /// <exception cref="ArgumentException">The tensor is not on the CPU or not contiguous.</exception>
    public static IntPtr DataPointer(torch.Tensor tensor)
    {
        if (tensor.device_type != DeviceType.CPU)
        {
            throw new ArgumentException($"Expected a CPU tensor, found one on {tensor.device}.", nameof(tensor));
        }

        if (!tensor.is_contiguous())
        {
            throw new ArgumentException("Expected a contiguous tensor.", nameof(tensor));
        }

        if (s_dataPointer == null)
        {
            var export = NativeLibrary.GetExport(TorchRuntime.LibTorchSharpHandle(), "THSTensor_data");
            s_dataPointer = (delegate* unmanaged<IntPtr, IntPtr>)export;
        }

        var pointer = s_dataPointer(tensor.Handle);
        if (pointer == IntPtr.Zero && tensor.numel() > 0)
        {
            torch.CheckForErrors();
        }

        return pointer;
    }

    /// <summary>Size in bytes of one element of <paramref name="dtype"/>.</summary>
    public static int ElementSize(torch.ScalarType dtype) => dtype switch
    {
        torch.ScalarType.Float64 or torch.ScalarType.Int64 or torch.ScalarType.ComplexFloat32 => 8,
        torch.ScalarType.Float32 or torch.ScalarType.Int32 => 4,
        torch.ScalarType.Float16 or torch.ScalarType.BFloat16 or torch.ScalarType.Int16 => 2,
        torch.ScalarType.Int8 or torch.ScalarType.Byte or torch.ScalarType.Bool => 1,
        torch.ScalarType.ComplexFloat64 => 16,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unsupported element type."),
    };

    /// <summary>Copies <paramref name="byteCount"/> bytes, in chunks so that huge copies stay interruptible by the GC.</summary>
    public static void Copy(byte* source, byte* destination, long byteCount)
    {
        const long chunk = 64L << 20;
        for (long done = 0; done < byteCount; done += chunk)
        {
            var n = Math.Min(chunk, byteCount - done);
            Buffer.MemoryCopy(source + done, destination + done, n, n);
        }
    }
}
