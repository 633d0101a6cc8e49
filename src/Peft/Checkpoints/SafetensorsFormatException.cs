namespace Peft.Checkpoints;

/// <summary>
/// Thrown when a safetensors file, or a sharded checkpoint's index, is malformed. The message names the file,
/// the offending tensor (when there is one), what was expected and what was found.
/// </summary>
public sealed class SafetensorsFormatException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="filePath">The file that is malformed.</param>
    /// <param name="tensorName">The tensor whose entry is wrong, or null when the problem is file-wide.</param>
    /// <param name="problem">What is wrong: expected versus found.</param>
    /// <param name="inner">The underlying exception, if any.</param>
    public SafetensorsFormatException(string filePath, string? tensorName, string problem, Exception? inner = null)
        : base(Format(filePath, tensorName, problem), inner)
    {
        FilePath = filePath;
        TensorName = tensorName;
        Problem = problem;
    }

    /// <summary>The malformed file.</summary>
    public string FilePath { get; }

    /// <summary>The offending tensor's name, or null for file-wide problems.</summary>
    public string? TensorName { get; }

    /// <summary>The problem without the location prefix.</summary>
    public string Problem { get; }

    private static string Format(string filePath, string? tensorName, string problem) =>
        tensorName is null
            ? $"Invalid safetensors file '{filePath}': {problem}"
            : $"Invalid safetensors file '{filePath}', tensor '{tensorName}': {problem}";
}
