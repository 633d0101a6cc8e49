using System.Text.Json;
using Peft.Data;
using Peft.Evaluation;

namespace Peft.Cli.QuickStart;

/// <summary>
/// The QuickStart task: SciTLDR-A summarisation — an abstract in, a one-sentence TLDR out — plus the raw text
/// the toy base model is pre-trained on (TinyStories and the training abstracts, never the TLDRs).
/// </summary>
internal sealed class QuickStartTask
{
    private QuickStartTask(IReadOnlyList<SftExample> train, IReadOnlyList<EvaluationExample> eval, IReadOnlyList<string> pretrainingTexts)
    {
        Train = train;
        Eval = eval;
        PretrainingTexts = pretrainingTexts;
    }

    /// <summary>Prompt/completion pairs for fine-tuning.</summary>
    public IReadOnlyList<SftExample> Train { get; }

    /// <summary>Held-out prompts with every reference TLDR.</summary>
    public IReadOnlyList<EvaluationExample> Eval { get; }

    /// <summary>Stories and abstracts for pre-training the toy base model.</summary>
    public IReadOnlyList<string> PretrainingTexts { get; }

    /// <summary>The prompt for an abstract.</summary>
    public static string Prompt(string abstractText) => $"Abstract: {abstractText}\nTLDR:";

    /// <summary>Reads the shipped data.</summary>
    /// <param name="dataFolder">The QuickStartData folder.</param>
    /// <param name="trainExamples">Training pairs to use.</param>
    /// <param name="evalExamples">Evaluation prompts to use.</param>
    /// <param name="maxAbstractWords">Abstracts are cut to this many words (keeps sequences short on a CPU).</param>
    public static QuickStartTask Load(string dataFolder, int trainExamples, int evalExamples, int maxAbstractWords)
    {
        var train = ReadSciTldr(Path.Combine(dataFolder, "scitldr", "train.jsonl"), trainExamples, maxAbstractWords);
        var dev = ReadSciTldr(Path.Combine(dataFolder, "scitldr", "dev.jsonl"), evalExamples, maxAbstractWords);
        var storiesFile = Path.Combine(dataFolder, "tinystories", "validation_100.txt");
        var stories = File.ReadAllText(storiesFile).Split("<|endoftext|>", StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return new QuickStartTask(
            train.Select(r => SftExample.FromPromptCompletion(Prompt(r.Abstract), " " + r.Targets[0]) with { Source = r.File, Line = r.Line }).ToList(),
            dev.Select(r => new EvaluationExample(Prompt(r.Abstract), r.Targets.Select(t => " " + t).ToList(), r.Line)).ToList(),
            stories.Concat(train.Select(r => r.Abstract)).ToList());
    }

    private static List<(string Abstract, IReadOnlyList<string> Targets, string File, int Line)> ReadSciTldr(string file, int count, int maxWords)
    {
        var rows = new List<(string, IReadOnlyList<string>, string, int)>();
        foreach (var record in JsonRecordReader.Read(file))
        {
            if (rows.Count >= count)
            {
                break;
            }

            var source = record.Value.GetProperty("source").EnumerateArray().Select(s => s.GetString()!.Trim());
            var words = string.Join(' ', source).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var abstractText = string.Join(' ', words.Take(maxWords));
            var targets = record.Value.GetProperty("target").EnumerateArray().Select(t => t.GetString()!.Trim()).Where(t => t.Length > 0).ToList();
            if (targets.Count == 0)
            {
                throw new DataFormatException(file, record.Line, "the record has no target TLDR.");
            }

            rows.Add((abstractText, targets, file, record.Line));
        }

        return rows;
    }
}
