using System.Globalization;
using System.Text;
using Peft.IO;

namespace Peft.Evaluation;

/// <summary>
/// Two evaluation reports side by side — typically the base model and the fine-tuned one on the same dataset: the
/// ROUGE F1 of every metric both have (×100) and the reference perplexity when both measured it, with their
/// differences, as a Markdown table and a PNG bar chart.
/// </summary>
/// <example>
/// <code>
/// var comparison = ReportComparison.Create(EvaluationReport.Load("eval/base"), EvaluationReport.Load("eval/lora"));
/// comparison.Save("eval");   // comparison.md + comparison.png
/// </code>
/// </example>
public sealed class ReportComparison
{
    /// <summary>Name of the Markdown file written by <see cref="Save"/>.</summary>
    public const string MarkdownFileName = "comparison.md";

    /// <summary>Name of the chart written by <see cref="Save"/>.</summary>
    public const string ChartFileName = "comparison.png";

    private ReportComparison(EvaluationReport before, EvaluationReport after, string beforeLabel, string afterLabel, IReadOnlyList<MetricDelta> metrics)
    {
        Before = before;
        After = after;
        BeforeLabel = beforeLabel;
        AfterLabel = afterLabel;
        Metrics = metrics;
    }

    /// <summary>The first report.</summary>
    public EvaluationReport Before { get; }

    /// <summary>The second report.</summary>
    public EvaluationReport After { get; }

    /// <summary>What the first report is called in the table and chart.</summary>
    public string BeforeLabel { get; }

    /// <summary>What the second report is called in the table and chart.</summary>
    public string AfterLabel { get; }

    /// <summary>The compared metrics: ROUGE F1 ×100 in the first report's metric order, then <c>perplexity</c>.</summary>
    public IReadOnlyList<MetricDelta> Metrics { get; }

    /// <summary>
    /// Compares two reports. Labels default to each report's adapter name, else its model name (the first report
    /// without an adapter is "base"), falling back to "before" / "after" when they would be equal.
    /// </summary>
    /// <param name="before">The reference report (e.g. the base model).</param>
    /// <param name="after">The report to compare with it (e.g. the fine-tuned model).</param>
    /// <param name="beforeLabel">Name of the first report; null for the default.</param>
    /// <param name="afterLabel">Name of the second report; null for the default.</param>
    /// <returns>The comparison.</returns>
    /// <exception cref="ArgumentNullException">A report is null.</exception>
    /// <exception cref="ArgumentException">The reports share no metric.</exception>
    public static ReportComparison Create(EvaluationReport before, EvaluationReport after, string? beforeLabel = null, string? afterLabel = null)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var metrics = new List<MetricDelta>();
        foreach (var (name, score) in before.Metrics.Rouge)
        {
            if (after.Metrics.Rouge.TryGetValue(name, out var other))
            {
                metrics.Add(new MetricDelta(name, 100 * score.FMeasure, 100 * other.FMeasure, HigherIsBetter: true));
            }
        }

        if (before.Metrics.ReferencePerplexity is { } p0 && after.Metrics.ReferencePerplexity is { } p1)
        {
            metrics.Add(new MetricDelta("perplexity", p0.Perplexity, p1.Perplexity, HigherIsBetter: false));
        }

        if (metrics.Count == 0)
        {
            throw new ArgumentException(
                $"The reports share no metric: the first has [{string.Join(", ", before.Metrics.Rouge.Keys)}], the second [{string.Join(", ", after.Metrics.Rouge.Keys)}].",
                nameof(after));
        }

        var first = beforeLabel ?? before.Settings.Adapter ?? (after.Settings.Adapter is not null ? "base" : before.Settings.Model) ?? "before";
        var second = afterLabel ?? after.Settings.Adapter ?? after.Settings.Model ?? "after";
        if (first == second && beforeLabel is null && afterLabel is null)
        {
            (first, second) = ("before", "after");
        }

        return new ReportComparison(before, after, first, second, metrics);
    }

    /// <summary>
    /// The comparison as Markdown: one row per metric with both values, the difference and the relative change
    /// (✓ marks an improvement), plus a warning when the reports were made on different datasets or settings.
    /// </summary>
    /// <returns>The Markdown text.</returns>
    public string ToMarkdown()
    {
        var sb = new StringBuilder().Append(CultureInfo.InvariantCulture, $"# {Markdown.Cell(BeforeLabel)} vs {Markdown.Cell(AfterLabel)}\n\n");
        foreach (var warning in Warnings())
        {
            sb.Append("> **Note:** ").Append(Markdown.Cell(warning)).Append("\n\n");
        }

        Markdown.Table(sb, ["metric", Markdown.Cell(BeforeLabel), Markdown.Cell(AfterLabel), "Δ", "Δ %", ""],
            [false, true, true, true, true, false],
            Metrics.Select(m => (IReadOnlyList<string>)new[]
            {
                m.HigherIsBetter ? $"{m.Metric} F1 ×100" : $"{m.Metric} (lower is better)",
                Markdown.Number(m.Before),
                Markdown.Number(m.After),
                Markdown.Signed(m.Delta),
                Markdown.Signed(100 * m.RelativeDelta, 1, " %"),
                m.Improved ? "✓" : "",
            }));
        sb.Append(CultureInfo.InvariantCulture,
            $"\n{Markdown.Cell(BeforeLabel)}: {Markdown.Count(Before.Metrics.Examples)} examples of {Markdown.Cell(Before.Settings.Dataset)}; ");
        sb.Append(CultureInfo.InvariantCulture,
            $"{Markdown.Cell(AfterLabel)}: {Markdown.Count(After.Metrics.Examples)} examples of {Markdown.Cell(After.Settings.Dataset)}. ROUGE values are mean F1 ×100.\n");
        return sb.ToString();
    }

    /// <summary>The bar chart as PNG bytes (rendered with ScottPlot).</summary>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    /// <returns>The PNG file's bytes.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 100 pixels.</exception>
    public byte[] RenderPng(int width = 900, int height = 500)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 100);
        return ComparisonChart.RenderPng(this, width, height);
    }

    /// <summary>Writes <see cref="MarkdownFileName"/> and <see cref="ChartFileName"/> into a folder, each atomically.</summary>
    /// <param name="folder">The folder (created if needed).</param>
    /// <param name="width">Chart width in pixels.</param>
    /// <param name="height">Chart height in pixels.</param>
    /// <exception cref="IOException">A file cannot be written.</exception>
    public void Save(string folder, int width = 900, int height = 500)
    {
        ArgumentNullException.ThrowIfNull(folder);
        AtomicFile.WriteAllText(Path.Combine(folder, MarkdownFileName), ToMarkdown());
        AtomicFile.WriteAllBytes(Path.Combine(folder, ChartFileName), RenderPng(width, height));
    }

    private IEnumerable<string> Warnings()
    {
        if (Before.Settings.Dataset != After.Settings.Dataset || Before.Metrics.Examples != After.Metrics.Examples)
        {
            yield return $"the reports were made on different data ({Before.Settings.Dataset}, {Before.Metrics.Examples} examples vs {After.Settings.Dataset}, {After.Metrics.Examples} examples); the differences may not be meaningful.";
        }

        if (Before.Settings.Rouge.UseStemmer != After.Settings.Rouge.UseStemmer)
        {
            yield return "one report used the ROUGE stemmer and the other did not; stemming raises ROUGE.";
        }

        if (Before.Settings.Generation.MaxNewTokens != After.Settings.Generation.MaxNewTokens
            || Before.Settings.Generation.IsSampling != After.Settings.Generation.IsSampling)
        {
            yield return "the reports used different decoding settings (max_new_tokens or greedy vs sampling).";
        }
    }
}
