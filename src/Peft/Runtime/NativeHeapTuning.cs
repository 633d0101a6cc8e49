using System.Runtime.InteropServices;

namespace Peft.Runtime;

/// <summary>
/// Keeps glibc from holding on to freed training buffers. glibc raises its mmap threshold each time a large block
/// is freed (up to 32 MiB), after which multi-megabyte activations and dequantized weights are carved from the heap,
/// where a few long-lived blocks between them keep the freed pages resident: a QLoRA step on the SmolLM2-135M
/// shape peaked at 6.2 GiB instead of 4.7 GiB. Fixing the threshold at 4 MiB sends larger blocks straight back to
/// the OS when freed, without measurable slowdown (blocks that small stay on the heap). Applied once when the
/// native runtime loads on Linux; skipped when <c>MALLOC_MMAP_THRESHOLD_</c> is set (the user's choice) or
/// <c>PEFT_MMAP_THRESHOLD</c> is <c>0</c>; <c>PEFT_MMAP_THRESHOLD</c> may also give another size in bytes.
/// </summary>
internal static class NativeHeapTuning
{
    /// <summary>The threshold Peft sets by default.</summary>
    internal const int DefaultThreshold = 4 << 20;

    private const int MmapThresholdParameter = -3; // M_MMAP_THRESHOLD

    /// <summary>The threshold applied, or null when nothing was changed.</summary>
    internal static int? Applied { get; private set; }

    public static unsafe void Apply()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is not null)
        {
            return;
        }

        var threshold = DefaultThreshold;
        if (Environment.GetEnvironmentVariable("PEFT_MMAP_THRESHOLD") is { } text)
        {
            if (!int.TryParse(text, out threshold) || threshold < 0)
            {
                throw new TorchNativeLoadException(NativeLoadFailure.Other, $"PEFT_MMAP_THRESHOLD must be a number of bytes (0 disables); found '{text}'.");
            }

            if (threshold == 0)
            {
                return;
            }
        }

        if (NativeLibrary.TryLoad("libc.so.6", out var libc) && NativeLibrary.TryGetExport(libc, "mallopt", out var export)
            && ((delegate* unmanaged<int, int, int>)export)(MmapThresholdParameter, threshold) == 1)
        {
            Applied = threshold;
        }
    }
}
