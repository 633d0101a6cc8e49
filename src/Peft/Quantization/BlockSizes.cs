namespace Peft.Quantization;

/// <summary>Validation and arithmetic of quantization block sizes.</summary>
internal static class BlockSizes
{
    /// <summary>Smallest block size accepted (bitsandbytes' ROCm kernels go down to 32; CUDA starts at 64).</summary>
    public const int Min = 32;

    /// <summary>Largest block size accepted.</summary>
    public const int Max = 4096;

    /// <summary>True for powers of two from <see cref="Min"/> to <see cref="Max"/>.</summary>
    public static bool IsValid(long blockSize) => blockSize is >= Min and <= Max && (blockSize & (blockSize - 1)) == 0;

    /// <summary>Throws unless the block size is valid.</summary>
    public static void Validate(long blockSize, string paramName)
    {
        if (!IsValid(blockSize))
        {
            throw new ArgumentOutOfRangeException(paramName, blockSize,
                $"The block size must be a power of two from {Min} to {Max} (32, 64, 128, …, 4096); found {blockSize}.");
        }
    }

    /// <summary><c>⌈n / blockSize⌉</c>.</summary>
    public static long BlockCount(long n, long blockSize) => (n + blockSize - 1) / blockSize;
}
