using System.Globalization;
using System.Text;
using Peft.Evaluation.Rouge;

namespace Peft.Evaluation;

/// <summary>The ROUGE pieces shared by the Markdown of <see cref="RougeReport"/> and <see cref="EvaluationReport"/>.</summary>
internal static class ReportMarkdown
{
    /// <summary>Cut prompts, predictions and references in per-example tables to this many characters (the JSON has them whole).</summary>
    public const int CellLength = 120;

    /// <summary>"rouge1, rouge2, rougeL; stemmer on".</summary>
    public static string DescribeRouge(RougeOptions options) =>
        string.Join(", ", options.RougeTypes) + "; stemmer " + (options.UseStemmer ? "on" : "off")
        + (options.SplitSummaries ? "; rougeLsum sentences split by punctuation" : "");

    /// <summary>The corpus table: one row per metric with mean P/R/F (×100) and, when present, the bootstrap F interval.</summary>
    public static void RougeTable(StringBuilder sb, IReadOnlyDictionary<string, RougeScore> mean,
        IReadOnlyDictionary<string, RougeConfidenceInterval>? interval, BootstrapOptions? bootstrap, int pairs)
    {
        var headers = new List<string> { "metric", "precision", "recall", "F1" };
        if (interval is not null)
        {
            headers.AddRange(["F1 low", "F1 mid", "F1 high"]);
        }

        var rows = mean.Select(m =>
        {
            var row = new List<string> { m.Key, Pct(m.Value.Precision), Pct(m.Value.Recall), "**" + Pct(m.Value.FMeasure) + "**" };
            if (interval is not null && interval.TryGetValue(m.Key, out var ci))
            {
                row.AddRange([Pct(ci.Low.FMeasure), Pct(ci.Mid.FMeasure), Pct(ci.High.FMeasure)]);
            }
            else if (interval is not null)
            {
                row.AddRange(["—", "—", "—"]);
            }

            return (IReadOnlyList<string>)row;
        });
        Markdown.Table(sb, headers, headers.Select((_, i) => i > 0).ToArray(), rows);
        sb.Append('\n').Append(CultureInfo.InvariantCulture, $"Values ×100. Precision, recall and F1 are means over {Markdown.Count(pairs)} prediction(s)");
        if (interval is not null && bootstrap is not null)
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"; low/mid/high are rouge_score's bootstrap percentiles of the F1 mean ({bootstrap.Resamples} resamples, {100 * bootstrap.ConfidenceInterval:0.##}% interval, seed {bootstrap.Seed}); Hugging Face `evaluate` reports the mid value");
        }

        sb.Append(".\n");
    }

    /// <summary>A ROUGE value ×100 with two decimals.</summary>
    public static string Pct(double value) => Markdown.Number(100 * value);
}
