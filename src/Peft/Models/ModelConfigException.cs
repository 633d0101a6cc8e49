namespace Peft.Models;

/// <summary>
/// Thrown when a model's <c>config.json</c> (or <c>generation_config.json</c>) is missing a required field,
/// holds a value of the wrong type, or asks for something Peft does not support. The message names the file
/// and the field.
/// </summary>
public sealed class ModelConfigException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="source">The file (or description of the source) that holds the configuration.</param>
    /// <param name="field">The offending field, or null for file-wide problems.</param>
    /// <param name="problem">What is wrong: expected versus found.</param>
    /// <param name="inner">The underlying exception, if any.</param>
    public ModelConfigException(string source, string? field, string problem, Exception? inner = null)
        : base(field is null ? $"Invalid model configuration '{source}': {problem}" : $"Invalid model configuration '{source}', field '{field}': {problem}", inner)
    {
        ConfigSource = source;
        Field = field;
    }

    /// <summary>The configuration file or source.</summary>
    public string ConfigSource { get; }

    /// <summary>The offending field, or null.</summary>
    public string? Field { get; }
}
