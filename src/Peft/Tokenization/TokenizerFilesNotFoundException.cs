namespace Peft.Tokenization;

/// <summary>
/// Thrown by <see cref="PretrainedTokenizer.FromPretrained"/> when a folder holds none of the files a tokenizer can be
/// loaded from. <see cref="SearchedFileNames"/> (and the message) list every file name that was looked for.
/// </summary>
public sealed class TokenizerFilesNotFoundException : FileNotFoundException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="folder">The folder that was searched.</param>
    /// <param name="searchedFileNames">The file names looked for, in order of preference.</param>
    /// <param name="detail">An extra sentence (for example, which half of a file pair was found), or null.</param>
    public TokenizerFilesNotFoundException(string folder, IReadOnlyList<string> searchedFileNames, string? detail = null)
        : base(Format(folder, searchedFileNames, detail), folder)
    {
        Folder = folder;
        SearchedFileNames = searchedFileNames;
    }

    /// <summary>The folder that was searched.</summary>
    public string Folder { get; }

    /// <summary>Every file name that was looked for.</summary>
    public IReadOnlyList<string> SearchedFileNames { get; }

    private static string Format(string folder, IReadOnlyList<string> names, string? detail) =>
        $"No tokenizer found in '{folder}': looked for {string.Join(", ", names)} " +
        "(tokenizer.json, or a SentencePiece tokenizer.model, or the vocab.json + merges.txt pair)." +
        (detail is null ? string.Empty : " " + detail);
}
