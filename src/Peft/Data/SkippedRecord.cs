namespace Peft.Data;

/// <summary>A record left out because it was malformed (when skipping is on).</summary>
/// <param name="Line">1-based line where it starts.</param>
/// <param name="Problem">What was wrong.</param>
public sealed record SkippedRecord(int Line, string Problem);
