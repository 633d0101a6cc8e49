using System.CommandLine;
using Peft.Cli.Infrastructure;
using Peft.Evaluation;
using Spectre.Console;

namespace Peft.Cli.Commands.Eval;

/// <summary><c>peft eval rouge|perplexity|generate</c> and <c>peft eval --compare before.json after.json</c>.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var compare = new Option<string[]>("--compare")
        {
            Description = "Compare two evaluation reports (from 'peft eval generate'): writes comparison.md and comparison.png into --output-dir.",
            HelpName = "before.json after.json",
            Arity = new ArgumentArity(2, 2),
            AllowMultipleArgumentsPerToken = true,
        };
        var outputDir = new Option<string>("--output-dir") { Description = "Folder for comparison.md and comparison.png (default: the current folder).", HelpName = "folder" };
        var labels = new Option<string[]>("--labels")
        {
            Description = "Names of the two reports in the table and chart (default: their adapter or model names).",
            HelpName = "before after",
            Arity = new ArgumentArity(2, 2),
            AllowMultipleArgumentsPerToken = true,
        };
        var eval = new Command("eval", "Evaluate: ROUGE of existing predictions, perplexity of a model, or generate-and-score; compare two reports.")
        {
            compare, outputDir, labels,
        };
        eval.Subcommands.Add(RougeMode.Create());
        eval.Subcommands.Add(PerplexityMode.Create());
        eval.Subcommands.Add(GenerateMode.Create());
        CommandActions.Set(eval, context => context.Get(compare) is { Length: 2 } files
            ? Compare(context, files[0], files[1], context.Get(outputDir) ?? ".", context.Get(labels))
            : throw new UsageException("choose a mode: 'peft eval rouge', 'peft eval perplexity', 'peft eval generate', or 'peft eval --compare before.json after.json'."));
        return eval;
    }

    private static int Compare(CliContext context, string before, string after, string folder, string[]? labels)
    {
        CliPaths.RequireFile(before, "--compare");
        CliPaths.RequireFile(after, "--compare");
        var (first, second) = labels is { Length: 2 } ? (labels[0], labels[1]) : ((string?)null, (string?)null);
        var comparison = ReportComparison.Create(EvaluationReport.Load(before), EvaluationReport.Load(after), first, second);
        comparison.Save(folder);
        var table = new Table().AddColumns("metric", Markup.Escape(comparison.BeforeLabel), Markup.Escape(comparison.AfterLabel), "Δ", "Δ %", "");
        foreach (var m in comparison.Metrics)
        {
            table.AddRow(
                m.HigherIsBetter ? $"{m.Metric} F1 ×100" : $"{m.Metric} (lower is better)",
                Numbers.Fixed(m.Before, 2), Numbers.Fixed(m.After, 2),
                (m.Delta >= 0 ? "+" : string.Empty) + Numbers.Fixed(m.Delta, 2),
                double.IsFinite(m.RelativeDelta) ? (m.RelativeDelta >= 0 ? "+" : string.Empty) + Numbers.Fixed(100 * m.RelativeDelta, 1) + " %" : "-",
                m.Improved ? "✓" : string.Empty);
        }

        context.Console.Write(table);
        context.Info($"wrote {Path.Combine(folder, ReportComparison.MarkdownFileName)} and {Path.Combine(folder, ReportComparison.ChartFileName)}");
        return ExitCodes.Success;
    }
}
