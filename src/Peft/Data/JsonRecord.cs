using System.Text.Json;

namespace Peft.Data;

/// <summary>One JSON object from a dataset file and where it starts.</summary>
/// <param name="File">The file.</param>
/// <param name="Line">1-based line where the object starts.</param>
/// <param name="Value">The object (a clone that stays valid after reading moves on).</param>
public sealed record JsonRecord(string File, int Line, JsonElement Value);
