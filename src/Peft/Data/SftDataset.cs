using System.Text.Json;
using Peft.Tokenization;

namespace Peft.Data;

/// <summary>
/// Reads supervised fine-tuning data from JSON Lines or JSON-array files in the forms users have: text,
/// prompt/completion, messages and Alpaca. Every malformed record is an error naming its file and line, or —
/// when <see cref="DatasetReadOptions.SkipInvalid"/> is set — is skipped and listed in <see cref="Skipped"/>.
/// Nothing is dropped silently.
/// </summary>
public sealed class SftDataset
{
    /// <summary>The Alpaca prompt for records with an input (Stanford Alpaca's template).</summary>
    public const string AlpacaPromptWithInput =
        "Below is an instruction that describes a task, paired with an input that provides further context. "
        + "Write a response that appropriately completes the request.\n\n### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:\n";

    /// <summary>The Alpaca prompt for records without an input.</summary>
    public const string AlpacaPromptNoInput =
        "Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n"
        + "### Instruction:\n{instruction}\n\n### Response:\n";

    private SftDataset(string source, SftFormat format, IReadOnlyList<SftExample> examples, IReadOnlyList<SkippedRecord> skipped)
    {
        Source = source;
        Format = format;
        Examples = examples;
        Skipped = skipped;
    }

    /// <summary>The file read.</summary>
    public string Source { get; }

    /// <summary>The format used (detected or given).</summary>
    public SftFormat Format { get; }

    /// <summary>The examples, in file order.</summary>
    public IReadOnlyList<SftExample> Examples { get; }

    /// <summary>Records skipped as malformed (only when skipping was asked for).</summary>
    public IReadOnlyList<SkippedRecord> Skipped { get; }

    /// <summary>Reads a dataset file.</summary>
    /// <param name="path">A .jsonl or .json file.</param>
    /// <param name="options">Format, field names, skipping; null for defaults.</param>
    /// <exception cref="DataFormatException">A record is malformed (file and line named) and skipping is off, or the format cannot be detected.</exception>
    public static SftDataset Load(string path, DatasetReadOptions? options = null)
    {
        options ??= new DatasetReadOptions();
        var format = options.Format;
        var (examples, skipped) = RecordParsing.ParseAll(path, options, record =>
        {
            if (format == SftFormat.Auto)
            {
                format = Detect(record, options.Columns); // from the first record
            }

            return Parse(record, format, options.Columns);
        });
        return new SftDataset(path, format, examples, skipped);
    }

    private static SftFormat Detect(JsonRecord record, ColumnMapping c)
    {
        var v = record.Value;
        if (v.TryGetProperty(c.Messages, out _))
        {
            return SftFormat.Messages;
        }

        if (v.TryGetProperty(c.Prompt, out _) && v.TryGetProperty(c.Completion, out _))
        {
            return SftFormat.PromptCompletion;
        }

        if (v.TryGetProperty(c.Instruction, out _) && v.TryGetProperty(c.Output, out _))
        {
            return SftFormat.Alpaca;
        }

        if (v.TryGetProperty(c.Text, out _))
        {
            return SftFormat.Text;
        }

        var fields = string.Join(", ", v.EnumerateObject().Select(p => $"\"{p.Name}\""));
        throw new DataFormatException(record.File, record.Line,
            $"cannot tell the format from the fields {{{fields}}}: expected \"{c.Text}\", \"{c.Prompt}\"+\"{c.Completion}\", "
            + $"\"{c.Messages}\" or \"{c.Instruction}\"+\"{c.Output}\" (set the format or a column mapping).");
    }

    private static SftExample Parse(JsonRecord r, SftFormat format, ColumnMapping c) => format switch
    {
        SftFormat.Text => new SftExample { Text = RequiredString(r, c.Text), Source = r.File, Line = r.Line },
        SftFormat.PromptCompletion => new SftExample
        {
            Prompt = RequiredString(r, c.Prompt, allowEmpty: true), Completion = RequiredString(r, c.Completion), Source = r.File, Line = r.Line,
        },
        SftFormat.Alpaca => Alpaca(r, c),
        SftFormat.Messages => new SftExample { Messages = Messages(r, c.Messages), Source = r.File, Line = r.Line },
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    private static SftExample Alpaca(JsonRecord r, ColumnMapping c)
    {
        var instruction = RequiredString(r, c.Instruction);
        var input = OptionalString(r, c.Input) ?? string.Empty;
        var output = RequiredString(r, c.Output);
        var prompt = input.Length == 0
            ? AlpacaPromptNoInput.Replace("{instruction}", instruction, StringComparison.Ordinal)
            : AlpacaPromptWithInput.Replace("{instruction}", instruction, StringComparison.Ordinal).Replace("{input}", input, StringComparison.Ordinal);
        return new SftExample { Prompt = prompt, Completion = output, Source = r.File, Line = r.Line };
    }

    /// <summary>Reads a message list field; shared with preference data.</summary>
    internal static IReadOnlyList<ChatMessage> Messages(JsonRecord r, string field)
    {
        if (!r.Value.TryGetProperty(field, out var list) || list.ValueKind != JsonValueKind.Array)
        {
            throw new DataFormatException(r.File, r.Line, $"\"{field}\" must be a list of {{\"role\", \"content\"}} messages; found {Kind(r.Value, field)}.");
        }

        var messages = new List<ChatMessage>();
        var i = 0;
        foreach (var item in list.EnumerateArray())
        {
            try
            {
                var message = ChatMessage.FromJson(item);
                if (message.Content is null && !item.TryGetProperty("tool_calls", out _))
                {
                    throw new FormatException("its \"content\" is missing or not a string");
                }

                messages.Add(message);
            }
            catch (FormatException ex)
            {
                throw new DataFormatException(r.File, r.Line, $"\"{field}\"[{i}] is not a valid message: {ex.Message}");
            }

            i++;
        }

        if (messages.Count == 0)
        {
            throw new DataFormatException(r.File, r.Line, $"\"{field}\" is empty.");
        }

        return messages;
    }

    /// <summary>A required string field; shared with preference data.</summary>
    internal static string RequiredString(JsonRecord r, string field, bool allowEmpty = false)
    {
        if (!r.Value.TryGetProperty(field, out var value))
        {
            throw new DataFormatException(r.File, r.Line, $"missing field \"{field}\".");
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw new DataFormatException(r.File, r.Line, $"\"{field}\" must be a string; found {Kind(r.Value, field)}.");
        }

        var text = value.GetString()!;
        if (!allowEmpty && text.Length == 0)
        {
            throw new DataFormatException(r.File, r.Line, $"\"{field}\" is empty.");
        }

        return text;
    }

    private static string? OptionalString(JsonRecord r, string field) =>
        !r.Value.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null
            ? null
            : value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : throw new DataFormatException(r.File, r.Line, $"\"{field}\" must be a string; found {Kind(r.Value, field)}.");

    private static string Kind(JsonElement obj, string field) =>
        !obj.TryGetProperty(field, out var v) ? "nothing" : v.ValueKind switch
        {
            JsonValueKind.Array => "a list",
            JsonValueKind.Object => "an object",
            JsonValueKind.Number => $"the number {v.GetRawText()}",
            JsonValueKind.True or JsonValueKind.False => $"{v.GetRawText()}",
            JsonValueKind.Null => "null",
            _ => "a string",
        };
}
