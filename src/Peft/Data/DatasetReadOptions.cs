namespace Peft.Data;

/// <summary>How a dataset file is read.</summary>
public sealed record DatasetReadOptions
{
    /// <summary>The record format; <see cref="SftFormat.Auto"/> detects it from the first record.</summary>
    public SftFormat Format { get; init; } = SftFormat.Auto;

    /// <summary>Field names.</summary>
    public ColumnMapping Columns { get; init; } = new();

    /// <summary>Skip malformed records and count them instead of stopping at the first one.</summary>
    public bool SkipInvalid { get; init; }

    /// <summary>Read at most this many valid records (0: all).</summary>
    public int MaxRecords { get; init; }
}
