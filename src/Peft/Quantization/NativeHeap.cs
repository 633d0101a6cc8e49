using System.Runtime.InteropServices;

namespace Peft.Quantization;

/// <summary>
/// Returns freed native heap memory to the operating system (glibc's <c>malloc_trim</c>; a no-op elsewhere).
/// Quantize-on-load frees a dense temporary per layer; glibc's growing mmap threshold moves those temporaries onto
/// the heap, where the small long-lived quantized tensors between them keep the freed pages resident. Trimming
/// after each layer keeps the resident set near the quantized model's size.
/// </summary>
internal static class NativeHeap
{
    private static readonly Lazy<Func<nuint, int>?> MallocTrim = new(Find);

    /// <summary>Releases free heap pages, when the C library offers it.</summary>
    public static void Trim() => MallocTrim.Value?.Invoke(0);

    private static unsafe Func<nuint, int>? Find()
    {
        if (!OperatingSystem.IsLinux() || !NativeLibrary.TryLoad("libc.so.6", out var libc) || !NativeLibrary.TryGetExport(libc, "malloc_trim", out var export))
        {
            return null;
        }

        var trim = (delegate* unmanaged<nuint, int>)export;
        return pad => trim(pad);
    }
}
