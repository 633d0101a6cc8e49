namespace Peft.Adapters;

/// <summary>
/// Thrown when a saved adapter does not fit the model it is loaded onto. It lists every problem at once: modules the
/// configuration targets whose tensors are missing from the file, tensors in the file that nothing uses, and tensors
/// whose shapes differ from what the model and configuration require.
/// </summary>
public sealed class AdapterMismatchException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="source">The adapter file or folder.</param>
    /// <param name="missing">Keys the model needs that the file lacks.</param>
    /// <param name="unexpected">Keys in the file that the model does not use.</param>
    /// <param name="mismatched">Keys whose shapes differ, each as <c>key: expected [..], found [..]</c>.</param>
    public AdapterMismatchException(string source, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> mismatched)
        : base(Format(source, missing, unexpected, mismatched))
    {
        AdapterSource = source;
        Missing = missing;
        Unexpected = unexpected;
        Mismatched = mismatched;
    }

    /// <summary>The adapter file or folder.</summary>
    public string AdapterSource { get; }

    /// <summary>Keys the model needs that the file lacks.</summary>
    public IReadOnlyList<string> Missing { get; }

    /// <summary>Keys in the file that the model does not use.</summary>
    public IReadOnlyList<string> Unexpected { get; }

    /// <summary>Keys whose shapes differ, each as <c>key: expected [..], found [..]</c>.</summary>
    public IReadOnlyList<string> Mismatched { get; }

    private static string Format(string source, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> mismatched) =>
        $"The adapter '{source}' does not fit the model. {Models.KeyMismatchText.Describe(missing, unexpected, mismatched)}.";
}
