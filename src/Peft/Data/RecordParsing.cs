namespace Peft.Data;

/// <summary>The read loop every dataset shares: parse each record, skip-and-count or stop on a malformed one, never drop silently.</summary>
internal static class RecordParsing
{
    /// <summary>Parses every record of a file.</summary>
    /// <param name="path">The dataset file.</param>
    /// <param name="options">Skipping and the record limit.</param>
    /// <param name="parse">Parses one record; throws <see cref="DataFormatException"/> for a malformed one.</param>
    /// <returns>The examples and the records skipped as malformed.</returns>
    /// <exception cref="DataFormatException">A record is malformed and skipping is off, or no record is valid.</exception>
    public static (List<T> Examples, List<SkippedRecord> Skipped) ParseAll<T>(string path, DatasetReadOptions options, Func<JsonRecord, T> parse)
    {
        var examples = new List<T>();
        var skipped = new List<SkippedRecord>();
        foreach (var record in JsonRecordReader.Read(path))
        {
            try
            {
                examples.Add(parse(record));
            }
            catch (DataFormatException ex) when (options.SkipInvalid)
            {
                skipped.Add(new SkippedRecord(ex.Line, ex.Problem));
            }

            if (options.MaxRecords > 0 && examples.Count >= options.MaxRecords)
            {
                break;
            }
        }

        if (examples.Count == 0)
        {
            throw new DataFormatException(path, 1, skipped.Count > 0
                ? $"all {skipped.Count} records are malformed; the first (line {skipped[0].Line}): {skipped[0].Problem}"
                : "the file holds no records.");
        }

        return (examples, skipped);
    }
}
