using ScottPlot;

namespace Peft.Evaluation;

/// <summary>
/// Renders a <see cref="ReportComparison"/> with ScottPlot: grouped bars, one pair per metric, ROUGE F1 (×100) on the
/// left axis and perplexity (when both reports have it) on the right axis, each bar labelled with its value.
/// </summary>
internal static class ComparisonChart
{
    public static byte[] RenderPng(ReportComparison comparison, int width, int height)
    {
        var plot = new Plot();
        try
        {
            var before = Colors.Category10[0];
            var after = Colors.Category10[1];
            var rouge = comparison.Metrics.Where(m => m.HigherIsBetter).ToArray();
            var perplexity = comparison.Metrics.Where(m => !m.HigherIsBetter).ToArray();
            var ticks = new List<Tick>();
            var position = 0.0;

            var rougeBars = new List<Bar>();
            foreach (var m in rouge)
            {
                rougeBars.Add(MakeBar(position + 1, m.Before, before, Markdown.Number(m.Before, 1)));
                rougeBars.Add(MakeBar(position + 2, m.After, after, Markdown.Number(m.After, 1)));
                ticks.Add(new Tick(position + 1.5, m.Metric));
                position += 3;
            }

            if (rougeBars.Count > 0)
            {
                plot.Add.Bars(rougeBars);
            }

            var hasRight = perplexity.Length > 0;
            if (hasRight)
            {
                var bars = new List<Bar>();
                foreach (var m in perplexity)
                {
                    bars.Add(MakeBar(position + 1, m.Before, before.WithAlpha(0.55), Markdown.Number(m.Before, 2)));
                    bars.Add(MakeBar(position + 2, m.After, after.WithAlpha(0.55), Markdown.Number(m.After, 2)));
                    ticks.Add(new Tick(position + 1.5, m.Metric + " (right axis)"));
                    position += 3;
                }

                var right = plot.Add.Bars(bars);
                right.Axes.YAxis = plot.Axes.Right;
                plot.Axes.Right.Label.Text = "perplexity (lower is better)";
                plot.Axes.SetLimitsY(0, Top(perplexity), plot.Axes.Right);
            }

            plot.Axes.Left.Label.Text = "ROUGE F1 ×100 (higher is better)";
            plot.Axes.SetLimitsY(0, rouge.Length > 0 ? Top(rouge) : 1, plot.Axes.Left);
            plot.Axes.SetLimitsX(-0.2, Math.Max(position, 3) + 0.2);
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.ToArray());
            plot.Axes.Bottom.MajorTickStyle.Length = 0;
            plot.HideGrid();
            plot.Title($"{comparison.BeforeLabel} vs {comparison.AfterLabel}");
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = comparison.BeforeLabel, FillColor = before });
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = comparison.AfterLabel, FillColor = after });
            plot.ShowLegend(Edge.Bottom);
            return plot.GetImageBytes(width, height, ImageFormat.Png);
        }
        finally
        {
            plot.Dispose();
        }
    }

    private static Bar MakeBar(double position, double value, Color color, string label) => new()
    {
        Position = position,
        Value = double.IsFinite(value) ? value : 0,
        FillColor = color,
        Label = label,
    };

    /// <summary>Axis top with room for the value labels.</summary>
    private static double Top(IEnumerable<MetricDelta> metrics)
    {
        var max = metrics.SelectMany(m => new[] { m.Before, m.After }).Where(double.IsFinite).DefaultIfEmpty(0).Max();
        return max > 0 ? max * 1.15 : 1;
    }
}
