namespace Peft.Models;

/// <summary>
/// Thrown when a checkpoint does not fit a model: it lists every missing tensor, every unexpected tensor and
/// every tensor whose shape differs, not just the first.
/// </summary>
public sealed class CheckpointMismatchException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="source">The checkpoint (folder or file).</param>
    /// <param name="missing">Keys the model needs that the checkpoint lacks.</param>
    /// <param name="unexpected">Keys the checkpoint has that the model does not use.</param>
    /// <param name="mismatched">Keys whose shapes differ, with expected and found shapes.</param>
    public CheckpointMismatchException(string source, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> mismatched)
        : base(Format(source, missing, unexpected, mismatched))
    {
        Missing = missing;
        Unexpected = unexpected;
        Mismatched = mismatched;
    }

    /// <summary>Keys the model needs that the checkpoint lacks.</summary>
    public IReadOnlyList<string> Missing { get; }

    /// <summary>Keys the checkpoint has that the model does not use.</summary>
    public IReadOnlyList<string> Unexpected { get; }

    /// <summary>Keys whose shapes differ, each as <c>key: expected [..], found [..]</c>.</summary>
    public IReadOnlyList<string> Mismatched { get; }

    private static string Format(string source, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> mismatched) =>
        $"The checkpoint '{source}' does not fit the model. {KeyMismatchText.Describe(missing, unexpected, mismatched)}.";
}
