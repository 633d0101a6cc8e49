using System.Globalization;
using System.Text;
using Peft.Generation;
using Peft.IO;

namespace Peft.Evaluation;

/// <summary>
/// The result of an <see cref="Evaluator"/> run: corpus metrics, one row per example and the settings used, saved
/// as <c>report.json</c> (everything, round-trips through <see cref="Load"/>) and <c>report.md</c> (tables for people).
/// </summary>
public sealed record EvaluationReport
{
    /// <summary>The value of <see cref="Format"/> in every evaluation report file.</summary>
    public const string FormatName = "peft-evaluation-report";

    /// <summary>The current file version.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Name of the JSON file written by <see cref="Save"/>.</summary>
    public const string JsonFileName = "report.json";

    /// <summary>Name of the Markdown file written by <see cref="Save"/>.</summary>
    public const string MarkdownFileName = "report.md";

    /// <summary>File kind marker, <see cref="FormatName"/>.</summary>
    public string Format { get; init; } = FormatName;

    /// <summary>File version, <see cref="CurrentVersion"/>.</summary>
    public int Version { get; init; } = CurrentVersion;

    /// <summary>What the evaluation ran with.</summary>
    public required EvaluationSettings Settings { get; init; }

    /// <summary>The corpus figures.</summary>
    public required EvaluationMetrics Metrics { get; init; }

    /// <summary>Per example, in dataset order.</summary>
    public required IReadOnlyList<EvaluationRow> Rows { get; init; }

    /// <summary>Reads a report written by <see cref="Save"/> (its <c>report.json</c>, or the folder holding it).</summary>
    /// <param name="path">The JSON file, or a folder with <see cref="JsonFileName"/> in it.</param>
    /// <returns>The report.</returns>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not an evaluation report of a supported version.</exception>
    public static EvaluationReport Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var file = Directory.Exists(path) ? Path.Combine(path, JsonFileName) : path;
        return File.Exists(file)
            ? FromJson(File.ReadAllText(file), file)
            : throw new FileNotFoundException($"Evaluation report not found: '{Path.GetFullPath(file)}'.", file);
    }

    /// <summary>Parses a report from JSON.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="source">Named in error messages.</param>
    /// <returns>The report.</returns>
    /// <exception cref="InvalidDataException">The text is not an evaluation report of a supported version.</exception>
    public static EvaluationReport FromJson(string json, string source = "evaluation report") =>
        ReportJson.Deserialize<EvaluationReport>(json, source, FormatName, CurrentVersion);

    /// <summary>The report as indented JSON (snake_case names; ROUGE scores as <c>precision</c>/<c>recall</c>/<c>fmeasure</c> in [0, 1]).</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => ReportJson.Serialize(this);

    /// <summary>Writes <see cref="JsonFileName"/> and <see cref="MarkdownFileName"/> into a folder, each atomically.</summary>
    /// <param name="folder">The folder (created if needed).</param>
    /// <exception cref="IOException">A file cannot be written.</exception>
    public void Save(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        AtomicFile.WriteAllText(Path.Combine(folder, JsonFileName), ToJson());
        AtomicFile.WriteAllText(Path.Combine(folder, MarkdownFileName), ToMarkdown());
    }

    /// <summary>
    /// The report as Markdown: a settings table, the ROUGE table (×100) with the interval when present, the
    /// reference perplexity and generation figures, and a table of the first <paramref name="maxRows"/> examples
    /// (texts cut to 120 characters; the JSON has them whole).
    /// </summary>
    /// <param name="maxRows">Most example rows to list (0: none).</param>
    /// <returns>The Markdown text.</returns>
    public string ToMarkdown(int maxRows = 100)
    {
        var s = Settings;
        var m = Metrics;
        var sb = new StringBuilder("# Evaluation report\n\n");
        Markdown.Table(sb, ["setting", "value"], [false, false], new[]
        {
            Row("model", Markdown.Cell(s.Model ?? "—")),
            Row("adapter", Markdown.Cell(s.Adapter ?? "none (base model)")),
            Row("dataset", $"{Markdown.Cell(s.Dataset)} ({Markdown.Count(m.Examples)} examples)"),
            Row("device", Markdown.Cell(s.Device)),
            Row("date", s.Timestamp.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)),
            Row("generation", Markdown.Cell(DescribeGeneration(s.Generation, s.BatchSize))),
            Row("ROUGE", Markdown.Cell(ReportMarkdown.DescribeRouge(s.Rouge))),
        });

        sb.Append("\n## Metrics\n\n");
        ReportMarkdown.RougeTable(sb, m.Rouge, m.RougeInterval, s.Bootstrap, m.Examples);
        sb.Append('\n');
        if (m.ReferencePerplexity is { } ppl)
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"Reference perplexity: **{Markdown.Number(ppl.Perplexity)}** (mean NLL {Markdown.Number(ppl.MeanNll, 4)} over {Markdown.Count(ppl.Tokens)} reference tokens, given the prompts).\n\n");
        }

        var rate = m.GenerationSeconds > 0 ? $" ({Markdown.Number(m.GeneratedTokens / m.GenerationSeconds, 1)} tokens/s)" : "";
        var reasons = string.Join(", ", m.StopReasons.Select(r => $"{r.Key} {r.Value}"));
        sb.Append(CultureInfo.InvariantCulture,
            $"Generation: {Markdown.Count(m.GeneratedTokens)} tokens in {Markdown.Number(m.GenerationSeconds, 1)} s{rate}; stop reasons: {(reasons.Length == 0 ? "—" : reasons)}.\n");

        if (maxRows > 0 && Rows.Count > 0)
        {
            sb.Append("\n## Examples (ROUGE F1 ×100)\n\n");
            var metrics = m.Rouge.Keys.ToArray();
            var withPpl = Rows.Any(r => r.ReferenceTokens is not null);
            var headers = new List<string> { "#", "prompt", "prediction", "reference" };
            headers.AddRange(metrics);
            if (withPpl)
            {
                headers.Add("ref. PPL");
            }

            headers.AddRange(["stop", "tokens"]);
            var numeric = headers.Select((h, i) => i == 0 || (i >= 4 && h != "stop")).ToArray();
            Markdown.Table(sb, headers, numeric, Rows.Take(maxRows).Select(r =>
            {
                var cells = new List<string>
                {
                    r.Index.ToString(CultureInfo.InvariantCulture),
                    Markdown.Cell(r.Prompt, ReportMarkdown.CellLength),
                    Markdown.Cell(r.Prediction, ReportMarkdown.CellLength),
                    Markdown.Cell(r.References.Count > 0 ? r.References[0] : "", ReportMarkdown.CellLength)
                        + (r.References.Count > 1 ? $" (+{r.References.Count - 1})" : ""),
                };
                cells.AddRange(metrics.Select(k => r.Rouge.TryGetValue(k, out var v) ? ReportMarkdown.Pct(v.FMeasure) : "—"));
                if (withPpl)
                {
                    cells.Add(Markdown.Number(r.ReferencePerplexity));
                }

                cells.Add(StopName(r.StopReason));
                cells.Add(r.GeneratedTokens.ToString(CultureInfo.InvariantCulture));
                return (IReadOnlyList<string>)cells;
            }));
            if (Rows.Count > maxRows)
            {
                sb.Append(CultureInfo.InvariantCulture, $"\n… and {Markdown.Count(Rows.Count - maxRows)} more (all are in {JsonFileName}).\n");
            }
        }

        return sb.ToString();
    }

    /// <summary>The snake_case name of a stop reason, as the JSON writes it.</summary>
    internal static string StopName(StopReason reason) => reason switch
    {
        StopReason.EndOfSequence => "end_of_sequence",
        StopReason.StopString => "stop_string",
        StopReason.Length => "length",
        StopReason.Cancelled => "cancelled",
        _ => reason.ToString(),
    };

    private static IReadOnlyList<string> Row(string name, string value) => new[] { name, value };

    private static string DescribeGeneration(GenerationOptions g, int batchSize)
    {
        var parts = new List<string>
        {
            g.IsSampling
                ? string.Create(CultureInfo.InvariantCulture, $"sampling (temperature {g.Temperature}, top_k {g.TopK}, top_p {g.TopP}, seed {(g.Seed is { } seed ? seed.ToString(CultureInfo.InvariantCulture) : "random")})")
                : "greedy",
            $"max_new_tokens {g.MaxNewTokens}",
        };
        if (g.RepetitionPenalty != 1.0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"repetition_penalty {g.RepetitionPenalty}"));
        }

        if (g.StopStrings.Count > 0)
        {
            parts.Add("stop strings " + string.Join(", ", g.StopStrings.Select(x => $"\"{x.Replace("\n", "\\n", StringComparison.Ordinal)}\"")));
        }

        parts.Add($"batch {batchSize}");
        return string.Join(", ", parts);
    }
}
