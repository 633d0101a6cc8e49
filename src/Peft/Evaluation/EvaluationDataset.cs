using Peft.Data;

namespace Peft.Evaluation;

/// <summary>
/// Prompts with reference answers for <see cref="Evaluator"/>, read from JSON Lines or a JSON array:
/// <c>{"prompt": "...", "reference": "..."}</c> or <c>{"prompt": "...", "references": ["...", "..."]}</c>, with the
/// field names remappable through <see cref="EvaluationColumns"/>.
/// </summary>
public sealed class EvaluationDataset
{
    private EvaluationDataset(string source, IReadOnlyList<EvaluationExample> examples)
    {
        Source = source;
        Examples = examples;
    }

    /// <summary>The file read, or the name given to <see cref="Create"/>.</summary>
    public string Source { get; }

    /// <summary>The examples, in file order.</summary>
    public IReadOnlyList<EvaluationExample> Examples { get; }

    /// <summary>The number of examples.</summary>
    public int Count => Examples.Count;

    /// <summary>Reads a dataset file.</summary>
    /// <param name="path">A .jsonl file (one object per line) or a .json file holding an array of objects.</param>
    /// <param name="columns">Field names; null for <c>prompt</c> / <c>reference</c> / <c>references</c>.</param>
    /// <param name="maxRecords">Read at most this many records (0: all).</param>
    /// <returns>The dataset.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">
    /// A record lacks the prompt or the references, a field has the wrong type, or the file holds no record (the
    /// message names the file and line).
    /// </exception>
    public static EvaluationDataset Load(string path, EvaluationColumns? columns = null, int maxRecords = 0)
    {
        ArgumentNullException.ThrowIfNull(path);
        columns ??= new EvaluationColumns();
        var examples = new List<EvaluationExample>();
        foreach (var record in JsonRecordReader.Read(path))
        {
            var prompt = EvaluationRecords.String(record, columns.Prompt);
            examples.Add(new EvaluationExample(prompt, EvaluationRecords.References(record, columns), record.Line));
            if (maxRecords > 0 && examples.Count >= maxRecords)
            {
                break;
            }
        }

        return examples.Count > 0 ? new EvaluationDataset(path, examples) : throw new DataFormatException(path, 1, "the file holds no records.");
    }

    /// <summary>A dataset from examples in memory.</summary>
    /// <param name="examples">The examples (at least one; each with at least one reference).</param>
    /// <param name="name">What the report calls the dataset.</param>
    /// <returns>The dataset.</returns>
    /// <exception cref="ArgumentNullException">An argument, example, prompt or reference is null.</exception>
    /// <exception cref="ArgumentException">There is no example, or an example has no reference.</exception>
    public static EvaluationDataset Create(IEnumerable<EvaluationExample> examples, string name = "in-memory")
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(name);
        var list = examples.ToArray();
        for (var i = 0; i < list.Length; i++)
        {
            var e = list[i] ?? throw new ArgumentNullException(nameof(examples), $"Example {i} is null.");
            if (e.Prompt is null || e.References is null || e.References.Any(r => r is null))
            {
                throw new ArgumentNullException(nameof(examples), $"Example {i} has a null prompt, reference list or reference.");
            }

            if (e.References.Count == 0)
            {
                throw new ArgumentException($"Example {i} has no reference; expected at least one.", nameof(examples));
            }
        }

        return list.Length > 0 ? new EvaluationDataset(name, list) : throw new ArgumentException("Expected at least one example; found none.", nameof(examples));
    }
}
