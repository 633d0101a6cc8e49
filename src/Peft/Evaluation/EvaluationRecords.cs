using System.Text.Json;
using Peft.Data;

namespace Peft.Evaluation;

/// <summary>Field access shared by the evaluation readers, with errors naming file, line and key.</summary>
internal static class EvaluationRecords
{
    /// <summary>A required string field.</summary>
    public static string String(JsonRecord record, string key)
    {
        if (!record.Value.TryGetProperty(key, out var value))
        {
            throw new DataFormatException(record.File, record.Line, $"expected a string \"{key}\"; found the keys {Keys(record)}.");
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new DataFormatException(record.File, record.Line, $"expected \"{key}\" to be a string; found {Describe(value)}.");
    }

    /// <summary>The references: the list (or string) under <c>references</c>, else the string (or list) under <c>reference</c>.</summary>
    public static IReadOnlyList<string> References(JsonRecord record, EvaluationColumns columns)
    {
        foreach (var key in new[] { columns.References, columns.Reference })
        {
            if (!record.Value.TryGetProperty(key, out var value))
            {
                continue;
            }

            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    return new[] { value.GetString()! };
                case JsonValueKind.Array:
                    var list = new List<string>();
                    foreach (var item in value.EnumerateArray())
                    {
                        if (item.ValueKind != JsonValueKind.String)
                        {
                            throw new DataFormatException(record.File, record.Line,
                                $"expected \"{key}\" to be a list of strings; found {Describe(item)} at index {list.Count}.");
                        }

                        list.Add(item.GetString()!);
                    }

                    return list.Count > 0
                        ? list
                        : throw new DataFormatException(record.File, record.Line, $"\"{key}\" is an empty list; expected at least one reference.");
                default:
                    throw new DataFormatException(record.File, record.Line,
                        $"expected \"{key}\" to be a string or a list of strings; found {Describe(value)}.");
            }
        }

        throw new DataFormatException(record.File, record.Line,
            $"expected a string \"{columns.Reference}\" or a list \"{columns.References}\"; found the keys {Keys(record)}.");
    }

    private static string Keys(JsonRecord record)
    {
        var keys = record.Value.EnumerateObject().Select(p => $"\"{p.Name}\"").ToArray();
        return keys.Length == 0 ? "none" : string.Join(", ", keys);
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Array => "a list",
        JsonValueKind.Object => "an object",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {value.GetRawText()}",
        _ => "null",
    };
}
