using System.Globalization;
using System.Text;
using Peft.Data;
using Peft.Evaluation.Rouge;
using Peft.IO;

namespace Peft.Evaluation;

/// <summary>
/// ROUGE of existing predictions against references, like rouge_score's own command
/// (<c>python -m rouge_score.rouge --target_filepattern … --prediction_filepattern …</c>): per-prediction scores, their
/// mean and optionally the bootstrap interval, written as JSON, Markdown and rouge_score's CSV.
/// </summary>
/// <example>
/// <code>
/// var report = RougeReport.FromTextFiles("predictions.txt", "references.txt",
///     new RougeReportOptions { Rouge = new RougeOptions { UseStemmer = true }, Bootstrap = new BootstrapOptions() });
/// report.Save("out");   // out/rouge.json, out/rouge.md, out/rouge.csv
/// Console.WriteLine(report.Mean["rougeL"].FMeasure);
/// </code>
/// </example>
public sealed record RougeReport
{
    /// <summary>The value of <see cref="Format"/> in every ROUGE report file.</summary>
    public const string FormatName = "peft-rouge-report";

    /// <summary>The current file version.</summary>
    public const int CurrentVersion = 1;

    /// <summary>File kind marker, <see cref="FormatName"/>.</summary>
    public string Format { get; init; } = FormatName;

    /// <summary>File version, <see cref="CurrentVersion"/>.</summary>
    public int Version { get; init; } = CurrentVersion;

    /// <summary>Where the predictions and references came from.</summary>
    public required string Source { get; init; }

    /// <summary>The ROUGE settings used.</summary>
    public required RougeOptions RougeOptions { get; init; }

    /// <summary>The bootstrap settings, or null when no interval was computed.</summary>
    public BootstrapOptions? BootstrapOptions { get; init; }

    /// <summary>Metric → mean precision, recall and F-measure over all predictions (<see cref="RougeAggregate.Mean"/>).</summary>
    public required IReadOnlyDictionary<string, RougeScore> Mean { get; init; }

    /// <summary>Metric → bootstrap low/mid/high (<see cref="BootstrapAggregator"/>), or null.</summary>
    public IReadOnlyDictionary<string, RougeConfidenceInterval>? Interval { get; init; }

    /// <summary>Per prediction, in input order.</summary>
    public required IReadOnlyList<RougeReportRow> Rows { get; init; }

    /// <summary>Scores predictions against references held in memory.</summary>
    /// <param name="predictions">The predictions.</param>
    /// <param name="references">One or more references per prediction.</param>
    /// <param name="options">Metrics, bootstrap; null for defaults.</param>
    /// <param name="source">What the report calls the input.</param>
    /// <returns>The report.</returns>
    /// <exception cref="ArgumentNullException">An argument, text or reference list is null.</exception>
    /// <exception cref="ArgumentException">The lists differ in length, are empty, or a prediction has no reference.</exception>
    public static RougeReport Create(IReadOnlyList<string> predictions, IReadOnlyList<IReadOnlyList<string>> references,
        RougeReportOptions? options = null, string source = "in-memory")
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(references);
        ArgumentNullException.ThrowIfNull(source);
        if (predictions.Count != references.Count)
        {
            throw new ArgumentException(
                $"Expected one reference list per prediction; found {predictions.Count} predictions and {references.Count} reference lists.",
                nameof(references));
        }

        return Build(predictions, references, null, options ?? new RougeReportOptions(), source);
    }

    /// <summary>
    /// Scores two text files, one item per line: line i of <paramref name="predictionsPath"/> against line i of
    /// <paramref name="referencesPath"/>. As in rouge_score, records are separated by <c>\n</c> and a final line break
    /// ends the last record (it does not start an empty one); a trailing <c>\r</c> is dropped.
    /// </summary>
    /// <param name="predictionsPath">The predictions, one per line.</param>
    /// <param name="referencesPath">The references, one per line.</param>
    /// <param name="options">Metrics, bootstrap; null for defaults.</param>
    /// <returns>The report.</returns>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="DataFormatException">The files have different numbers of lines, or none.</exception>
    public static RougeReport FromTextFiles(string predictionsPath, string referencesPath, RougeReportOptions? options = null)
    {
        var predictions = ReadLines(predictionsPath);
        var references = ReadLines(referencesPath);
        if (predictions.Count != references.Count)
        {
            var shorter = predictions.Count < references.Count ? predictionsPath : referencesPath;
            throw new DataFormatException(shorter, Math.Min(predictions.Count, references.Count) + 1,
                $"expected one line per item in both files; '{predictionsPath}' has {predictions.Count} lines and '{referencesPath}' has {references.Count}.");
        }

        if (predictions.Count == 0)
        {
            throw new DataFormatException(predictionsPath, 1, "the file holds no lines.");
        }

        return Build(predictions, references.Select(r => (IReadOnlyList<string>)new[] { r }).ToArray(),
            Enumerable.Range(1, predictions.Count).ToArray(), options ?? new RougeReportOptions(), $"{predictionsPath} vs {referencesPath}");
    }

    /// <summary>
    /// Scores a JSON Lines (or JSON array) file of <c>{"prediction": "...", "references": ["...", ...]}</c> or
    /// <c>{"prediction": "...", "reference": "..."}</c> records (field names from <see cref="RougeReportOptions.Columns"/>).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="options">Metrics, bootstrap, field names; null for defaults.</param>
    /// <returns>The report.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">A record lacks a field or has the wrong type, or the file holds none (file and line named).</exception>
    public static RougeReport FromJsonLines(string path, RougeReportOptions? options = null)
    {
        options ??= new RougeReportOptions();
        var predictions = new List<string>();
        var references = new List<IReadOnlyList<string>>();
        var lines = new List<int>();
        foreach (var record in JsonRecordReader.Read(path))
        {
            predictions.Add(EvaluationRecords.String(record, options.Columns.Prediction));
            references.Add(EvaluationRecords.References(record, options.Columns));
            lines.Add(record.Line);
        }

        return predictions.Count > 0
            ? Build(predictions, references, lines, options, path)
            : throw new DataFormatException(path, 1, "the file holds no records.");
    }

    /// <summary>Reads a report written by <see cref="ToJson"/> or <see cref="Save"/>.</summary>
    /// <param name="path">The JSON file.</param>
    /// <returns>The report.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a ROUGE report of a supported version.</exception>
    public static RougeReport Load(string path) =>
        FromJson(File.Exists(path) ? File.ReadAllText(path) : throw new FileNotFoundException($"Report not found: '{Path.GetFullPath(path)}'.", path), path);

    /// <summary>Parses a report from JSON.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="source">Named in error messages.</param>
    /// <returns>The report.</returns>
    /// <exception cref="InvalidDataException">The text is not a ROUGE report of a supported version.</exception>
    public static RougeReport FromJson(string json, string source = "ROUGE report") =>
        ReportJson.Deserialize<RougeReport>(json, source, FormatName, CurrentVersion);

    /// <summary>The report as indented JSON (snake_case names; scores as <c>precision</c>/<c>recall</c>/<c>fmeasure</c>).</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => ReportJson.Serialize(this);

    /// <summary>The report as Markdown: the corpus table and the first <paramref name="maxRows"/> predictions.</summary>
    /// <param name="maxRows">Most per-prediction rows to list (0: none).</param>
    /// <returns>The Markdown text.</returns>
    public string ToMarkdown(int maxRows = 100)
    {
        var sb = new StringBuilder("# ROUGE report\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"- source: {Markdown.Cell(Source)}\n- predictions: {Markdown.Count(Rows.Count)}\n");
        sb.Append("- ROUGE: ").Append(ReportMarkdown.DescribeRouge(RougeOptions)).Append("\n\n");
        ReportMarkdown.RougeTable(sb, Mean, Interval, BootstrapOptions, Rows.Count);
        if (maxRows > 0)
        {
            sb.Append("\n## Predictions (F1 ×100)\n\n");
            var metrics = Mean.Keys.ToArray();
            var headers = new[] { "#", "prediction", "reference" }.Concat(metrics).ToArray();
            var rows = Rows.Take(maxRows).Select(r => (IReadOnlyList<string>)new[]
            {
                r.Index.ToString(CultureInfo.InvariantCulture),
                Markdown.Cell(r.Prediction, ReportMarkdown.CellLength),
                Markdown.Cell(r.References[0], ReportMarkdown.CellLength) + (r.References.Count > 1 ? $" (+{r.References.Count - 1})" : ""),
            }.Concat(metrics.Select(m => ReportMarkdown.Pct(r.Rouge[m].FMeasure))).ToArray());
            Markdown.Table(sb, headers, headers.Select((_, i) => i == 0 || i >= 3).ToArray(), rows);
            if (Rows.Count > maxRows)
            {
                sb.Append(CultureInfo.InvariantCulture, $"\n… and {Markdown.Count(Rows.Count - maxRows)} more (all are in the JSON report).\n");
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// The CSV rouge_score's command writes: with a bootstrap interval, its aggregate file
    /// (<c>score_type,low,mid,high</c>, rows <c>rouge1-R</c>, <c>rouge1-P</c>, <c>rouge1-F</c>, … by metric name);
    /// without, its per-example file (<c>id,rouge1-P,rouge1-R,rouge1-F,…</c>). Numbers have six decimals, as Python's <c>%f</c>.
    /// </summary>
    /// <returns>The CSV text.</returns>
    public string ToCsv()
    {
        static string F(double v) => v.ToString("F6", CultureInfo.InvariantCulture);
        var metrics = Mean.Keys.Order(StringComparer.Ordinal).ToArray();
        var sb = new StringBuilder();
        if (Interval is not null)
        {
            sb.Append("score_type,low,mid,high\n");
            foreach (var m in metrics.Where(Interval.ContainsKey))
            {
                var ci = Interval[m];
                sb.Append(CultureInfo.InvariantCulture, $"{m}-R,{F(ci.Low.Recall)},{F(ci.Mid.Recall)},{F(ci.High.Recall)}\n");
                sb.Append(CultureInfo.InvariantCulture, $"{m}-P,{F(ci.Low.Precision)},{F(ci.Mid.Precision)},{F(ci.High.Precision)}\n");
                sb.Append(CultureInfo.InvariantCulture, $"{m}-F,{F(ci.Low.FMeasure)},{F(ci.Mid.FMeasure)},{F(ci.High.FMeasure)}\n");
            }

            return sb.ToString();
        }

        sb.Append("id").Append(string.Concat(metrics.Select(m => $",{m}-P,{m}-R,{m}-F"))).Append('\n');
        foreach (var row in Rows)
        {
            sb.Append(row.Index.ToString(CultureInfo.InvariantCulture));
            foreach (var m in metrics)
            {
                sb.Append(',').Append(F(row.Rouge[m].Precision)).Append(',').Append(F(row.Rouge[m].Recall)).Append(',').Append(F(row.Rouge[m].FMeasure));
            }

            sb.Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>Writes <c>{baseName}.json</c>, <c>{baseName}.md</c> and <c>{baseName}.csv</c> into a folder, each atomically.</summary>
    /// <param name="folder">The folder (created if needed).</param>
    /// <param name="baseName">File name without extension.</param>
    /// <exception cref="IOException">A file cannot be written.</exception>
    public void Save(string folder, string baseName = "rouge")
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentException.ThrowIfNullOrEmpty(baseName);
        AtomicFile.WriteAllText(Path.Combine(folder, baseName + ".json"), ToJson());
        AtomicFile.WriteAllText(Path.Combine(folder, baseName + ".md"), ToMarkdown());
        AtomicFile.WriteAllText(Path.Combine(folder, baseName + ".csv"), ToCsv());
    }

    internal static RougeReport Build(IReadOnlyList<string> predictions, IReadOnlyList<IReadOnlyList<string>> references, IReadOnlyList<int>? lines,
        RougeReportOptions options, string source)
    {
        if (predictions.Count == 0)
        {
            throw new ArgumentException("Expected at least one prediction; found none.", nameof(predictions));
        }

        var scorer = RougeScorer.Create(options.Rouge);
        var rows = new RougeReportRow[predictions.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            var prediction = predictions[i] ?? throw new ArgumentNullException(nameof(predictions), $"Prediction {i} is null.");
            var refs = references[i] ?? throw new ArgumentNullException(nameof(references), $"The references of prediction {i} are null.");
            if (refs.Count == 0)
            {
                throw new ArgumentException($"Prediction {i} has no reference; expected at least one.", nameof(references));
            }

            rows[i] = new RougeReportRow
            {
                Index = i,
                Line = lines?[i] ?? 0,
                Prediction = prediction,
                References = refs.ToArray(),
                Rouge = scorer.ScoreMulti(prediction, refs),
            };
        }

        var scores = rows.Select(r => r.Rouge).ToArray();
        return new RougeReport
        {
            Source = source,
            RougeOptions = options.Rouge,
            BootstrapOptions = options.Bootstrap,
            Mean = RougeAggregate.Mean(scores),
            Interval = options.Bootstrap is null ? null : BootstrapAggregator.Aggregate(scores, options.Bootstrap),
            Rows = rows,
        };
    }

    private static List<string> ReadLines(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"File not found: '{Path.GetFullPath(path)}'.", path);
        }

        var records = File.ReadAllText(path).Split('\n').ToList();
        if (records[^1].Length == 0)
        {
            records.RemoveAt(records.Count - 1); // the final delimiter ends the last record
        }

        return records.Select(r => r.EndsWith('\r') ? r[..^1] : r).ToList();
    }
}
