namespace Peft.Adapters;

/// <summary>
/// Thrown when a LoRA configuration is invalid or does not fit the model: a field holds a value of the wrong type
/// or out of range, an option Peft does not support is set, or <c>target_modules</c> matches nothing. The message
/// names the source (file or object), the field, what was expected and what was found.
/// </summary>
public sealed class LoraConfigException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="source">The file (or description of the source) that holds the configuration.</param>
    /// <param name="field">The offending field (PEFT's name, e.g. <c>target_modules</c>), or null for file-wide problems.</param>
    /// <param name="problem">What is wrong: expected versus found.</param>
    /// <param name="inner">The underlying exception, if any.</param>
    public LoraConfigException(string source, string? field, string problem, Exception? inner = null)
        : base(field is null ? $"Invalid LoRA configuration '{source}': {problem}" : $"Invalid LoRA configuration '{source}', field '{field}': {problem}", inner)
    {
        ConfigSource = source;
        Field = field;
        Problem = problem;
    }

    /// <summary>The configuration file or source.</summary>
    public string ConfigSource { get; }

    /// <summary>The offending field, or null.</summary>
    public string? Field { get; }

    /// <summary>What is wrong.</summary>
    public string Problem { get; }
}
