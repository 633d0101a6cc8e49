using System.Text.Json;
using Peft.Tokenization;

namespace Peft.Data;

/// <summary>
/// Reads preference pairs: <c>{"prompt", "chosen", "rejected"}</c> as text or as message lists, or
/// <c>{"chosen", "rejected"}</c> alone, in which case the shared prefix is split off as the prompt (the message
/// prefix for conversations; for text the longest common prefix, giving a boundary space to the completions, as
/// TRL's <c>extract_prompt</c> does). Pairs whose chosen and rejected are identical, or whose prompt is empty,
/// are errors with their line numbers (or are skipped and listed when asked).
/// </summary>
public sealed class PreferenceDataset
{
    private PreferenceDataset(string source, IReadOnlyList<PreferenceExample> examples, IReadOnlyList<SkippedRecord> skipped)
    {
        Source = source;
        Examples = examples;
        Skipped = skipped;
    }

    /// <summary>The file read.</summary>
    public string Source { get; }

    /// <summary>The pairs in file order.</summary>
    public IReadOnlyList<PreferenceExample> Examples { get; }

    /// <summary>Records skipped as malformed (only when skipping was asked for).</summary>
    public IReadOnlyList<SkippedRecord> Skipped { get; }

    /// <summary>Reads a preference file.</summary>
    /// <param name="path">A .jsonl or .json file.</param>
    /// <param name="options">Field names, skipping; null for defaults.</param>
    /// <exception cref="DataFormatException">A record is malformed (file and line named) and skipping is off.</exception>
    public static PreferenceDataset Load(string path, DatasetReadOptions? options = null)
    {
        options ??= new DatasetReadOptions();
        var (examples, skipped) = RecordParsing.ParseAll(path, options, r => Parse(r, options.Columns));
        return new PreferenceDataset(path, examples, skipped);
    }

    /// <summary>Parses one record.</summary>
    internal static PreferenceExample Parse(JsonRecord r, ColumnMapping c)
    {
        var v = r.Value;
        if (!v.TryGetProperty(c.Chosen, out var chosen) || !v.TryGetProperty(c.Rejected, out var rejected))
        {
            throw new DataFormatException(r.File, r.Line, $"a preference pair needs \"{c.Chosen}\" and \"{c.Rejected}\"; found fields {{{string.Join(", ", v.EnumerateObject().Select(p => $"\"{p.Name}\""))}}}.");
        }

        var hasPrompt = v.TryGetProperty(c.Prompt, out var prompt) && prompt.ValueKind != JsonValueKind.Null;
        if (chosen.ValueKind == JsonValueKind.Array || rejected.ValueKind == JsonValueKind.Array)
        {
            var chosenMessages = SftDataset.Messages(r, c.Chosen);
            var rejectedMessages = SftDataset.Messages(r, c.Rejected);
            IReadOnlyList<ChatMessage> promptMessages;
            if (hasPrompt)
            {
                promptMessages = SftDataset.Messages(r, c.Prompt);
            }
            else
            {
                var shared = chosenMessages.Zip(rejectedMessages).TakeWhile(p => p.First == p.Second).Count();
                promptMessages = chosenMessages.Take(shared).ToList();
                chosenMessages = chosenMessages.Skip(shared).ToList();
                rejectedMessages = rejectedMessages.Skip(shared).ToList();
            }

            if (promptMessages.Count == 0)
            {
                throw new DataFormatException(r.File, r.Line, "the prompt is empty: a conversational pair needs at least one prompt message.");
            }

            if (chosenMessages.Count == 0 || rejectedMessages.Count == 0 || chosenMessages.SequenceEqual(rejectedMessages))
            {
                throw new DataFormatException(r.File, r.Line, "chosen and rejected are identical after the shared prompt; the pair teaches nothing.");
            }

            return new PreferenceExample { PromptMessages = promptMessages, ChosenMessages = chosenMessages, RejectedMessages = rejectedMessages, Source = r.File, Line = r.Line };
        }

        var chosenText = SftDataset.RequiredString(r, c.Chosen);
        var rejectedText = SftDataset.RequiredString(r, c.Rejected);
        string promptText;
        if (hasPrompt)
        {
            promptText = SftDataset.RequiredString(r, c.Prompt, allowEmpty: true);
        }
        else
        {
            var split = SharedPrefixLength(chosenText, rejectedText);
            promptText = chosenText[..split];
            chosenText = chosenText[split..];
            rejectedText = rejectedText[split..];
        }

        if (promptText.Length == 0)
        {
            throw new DataFormatException(r.File, r.Line, $"the prompt is empty{(hasPrompt ? string.Empty : " (chosen and rejected share no prefix)")}.");
        }

        if (chosenText == rejectedText)
        {
            throw new DataFormatException(r.File, r.Line, "chosen and rejected are identical; the pair teaches nothing.");
        }

        return new PreferenceExample { Prompt = promptText, Chosen = chosenText, Rejected = rejectedText, Source = r.File, Line = r.Line };
    }

    /// <summary>Longest common prefix, moved back before a trailing space so the space stays with the completions.</summary>
    internal static int SharedPrefixLength(string a, string b)
    {
        var n = 0;
        while (n < a.Length && n < b.Length && a[n] == b[n])
        {
            n++;
        }

        if (n < a.Length && n < b.Length && n > 0 && a[n - 1] == ' ')
        {
            n--;
        }

        return n;
    }
}
