using Peft.Cli.Infrastructure;
using Peft.Evaluation.Rouge;
using Spectre.Console;

namespace Peft.Cli.Commands.Eval;

/// <summary>Console tables and <c>--output</c> files shared by the evaluation modes.</summary>
internal static class EvalOutput
{
    /// <summary>The ROUGE means (and interval) as a table, ×100 as usually reported.</summary>
    public static Table RougeTable(IReadOnlyDictionary<string, RougeScore> mean, IReadOnlyDictionary<string, RougeConfidenceInterval>? interval)
    {
        var table = new Table().AddColumns("metric", "precision", "recall", "F1 (mean)");
        if (interval is not null)
        {
            table.AddColumns("F1 low", "F1 mid", "F1 high");
        }

        foreach (var (name, score) in mean)
        {
            var cells = new List<string> { name, Numbers.Fixed(100 * score.Precision, 2), Numbers.Fixed(100 * score.Recall, 2), Numbers.Fixed(100 * score.FMeasure, 2) };
            if (interval is not null && interval.TryGetValue(name, out var ci))
            {
                cells.AddRange([Numbers.Fixed(100 * ci.Low.FMeasure, 2), Numbers.Fixed(100 * ci.Mid.FMeasure, 2), Numbers.Fixed(100 * ci.High.FMeasure, 2)]);
            }

            table.AddRow(cells.Select(Markup.Escape).ToArray());
        }

        return table;
    }

    /// <summary>A sibling of a <c>--output</c> file with another extension (<c>out/report.json</c> → <c>out/report.md</c>).</summary>
    public static string Sibling(string path, string extension) => Path.ChangeExtension(path, extension);
}
