namespace Peft.Tokenization;

/// <summary>
/// Thrown when a tokenizer file (<c>tokenizer.json</c>, <c>tokenizer_config.json</c>, <c>tokenizer.model</c>,
/// <c>vocab.json</c>, <c>merges.txt</c>, …) is malformed or uses a feature this library does not implement. The
/// message names the file, the location inside it (a JSON path such as <c>$.model.merges[12]</c>, a line, or a byte
/// offset), what was expected and what was found.
/// </summary>
public sealed class TokenizerFormatException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="filePath">The file that is malformed.</param>
    /// <param name="location">Where in the file: a JSON path, <c>line N</c> or <c>byte N</c>; null for the whole file.</param>
    /// <param name="problem">What is wrong: expected versus found.</param>
    /// <param name="inner">The underlying exception, if any.</param>
    public TokenizerFormatException(string filePath, string? location, string problem, Exception? inner = null)
        : base(Format(filePath, location, problem), inner)
    {
        FilePath = filePath;
        Location = location;
        Problem = problem;
    }

    /// <summary>The malformed file.</summary>
    public string FilePath { get; }

    /// <summary>The JSON path, line or byte offset of the problem, or null when it concerns the whole file.</summary>
    public string? Location { get; }

    /// <summary>The problem without the file and location prefix.</summary>
    public string Problem { get; }

    private static string Format(string filePath, string? location, string problem) =>
        location is null
            ? $"Invalid tokenizer file '{filePath}': {problem}"
            : $"Invalid tokenizer file '{filePath}' at {location}: {problem}";
}
