using Peft.Data;

namespace Peft.Evaluation;

/// <summary>Reads texts for <see cref="Perplexity"/> from a file.</summary>
public static class TextDataset
{
    /// <summary>
    /// Reads texts: from a <c>.jsonl</c> / <c>.json</c> file, the string field <paramref name="column"/> of every record;
    /// from any other file, the whole file as one text (the guide joins WikiText's lines into one text the same way).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="column">The text field of JSON records.</param>
    /// <param name="maxRecords">Read at most this many records (0: all).</param>
    /// <returns>The texts, in file order.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">A JSON record lacks the field or it is not a string, or the file holds no record.</exception>
    public static IReadOnlyList<string> Load(string path, string column = "text", int maxRecords = 0)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(column);
        var extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is not (".jsonl" or ".json"))
        {
            return File.Exists(path)
                ? new[] { File.ReadAllText(path) }
                : throw new FileNotFoundException($"Text file not found: '{Path.GetFullPath(path)}'.", path);
        }

        var texts = new List<string>();
        foreach (var record in JsonRecordReader.Read(path))
        {
            texts.Add(EvaluationRecords.String(record, column));
            if (maxRecords > 0 && texts.Count >= maxRecords)
            {
                break;
            }
        }

        return texts.Count > 0 ? texts : throw new DataFormatException(path, 1, "the file holds no records.");
    }
}
