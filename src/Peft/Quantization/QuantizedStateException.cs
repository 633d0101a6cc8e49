namespace Peft.Quantization;

/// <summary>
/// Thrown when a saved quantized state cannot be restored: a tensor has the wrong size or dtype, a quant state
/// names an unknown type, or its metadata is malformed. The message names the checkpoint, the tensor, what was
/// expected and what was found.
/// </summary>
public sealed class QuantizedStateException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="source">The checkpoint (file or folder) the state came from.</param>
    /// <param name="tensorName">The offending tensor's key.</param>
    /// <param name="problem">What is wrong: expected versus found.</param>
    /// <param name="inner">The underlying exception, if any.</param>
    public QuantizedStateException(string source, string tensorName, string problem, Exception? inner = null)
        : base($"Invalid quantized state in '{source}', tensor '{tensorName}': {problem}", inner)
    {
        CheckpointPath = source;
        TensorName = tensorName;
        Problem = problem;
    }

    /// <summary>The checkpoint the state came from.</summary>
    public string CheckpointPath { get; }

    /// <summary>The offending tensor's key.</summary>
    public string TensorName { get; }

    /// <summary>The problem without the location prefix.</summary>
    public string Problem { get; }
}
