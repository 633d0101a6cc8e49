using System.CommandLine;
using Peft.Cli.Infrastructure;
using Peft.Evaluation;
using Peft.Evaluation.Rouge;

namespace Peft.Cli.Commands.Eval;

/// <summary><c>peft eval rouge</c>: ROUGE of existing predictions, like rouge_score's own command.</summary>
internal static class RougeMode
{
    public static Command Create()
    {
        var predictions = new Option<string>("--predictions") { Description = "Predictions, one per line (with --references).", HelpName = "file" };
        var references = new Option<string>("--references") { Description = "References, one per line, line i for prediction i.", HelpName = "file" };
        var jsonl = new Option<string>("--jsonl") { Description = "One JSONL file of {\"prediction\", \"references\": [...]} (or \"reference\") records instead.", HelpName = "file" };
        var types = new Option<string[]>("--rouge-types")
        {
            Description = "Metrics: rouge1 … rougeN, rougeL, rougeLsum.",
            DefaultValueFactory = _ => ["rouge1", "rouge2", "rougeL", "rougeLsum"],
            AllowMultipleArgumentsPerToken = true,
            HelpName = "names",
        };
        var stemmer = new Option<bool>("--stemmer") { Description = "Porter-stem tokens (rouge_score's use_stemmer)." };
        var split = new Option<bool>("--split-summaries") { Description = "rougeLsum: split sentences by punctuation instead of by line." };
        var bootstrap = BootstrapOptionSet.Create();
        var columns = ColumnOptions.Create("prediction, reference, references");
        var output = new Option<string>("--output") { Description = "Write the report: file.json, plus file.md and file.csv (rouge_score's CSV) beside it.", HelpName = "file.json" };
        var command = new Command("rouge", "ROUGE of existing predictions against references (two text files, or one JSONL file).")
        {
            predictions, references, jsonl, types, stemmer, split, bootstrap.Enabled, bootstrap.Seed, bootstrap.Resamples, columns, output,
        };
        CommandActions.Set(command, context =>
        {
            var options = new RougeReportOptions
            {
                Rouge = new RougeOptions { RougeTypes = context.Get(types)!, UseStemmer = context.Get(stemmer), SplitSummaries = context.Get(split) },
                Bootstrap = bootstrap.Build(context),
                Columns = ColumnOptions.Evaluation(context.Get(columns)),
            };
            try
            {
                RougeScorer.Create(options.Rouge); // rejects unknown metric names before any file is read
            }
            catch (ArgumentException ex)
            {
                throw new UsageException($"--rouge-types: {ex.Message}", ex);
            }

            RougeReport report;
            if (context.Get(jsonl) is { } file)
            {
                if (context.Given(predictions) || context.Given(references))
                {
                    throw new UsageException("give either --jsonl or --predictions with --references, not both.");
                }

                report = RougeReport.FromJsonLines(CliPaths.RequireFile(file, "--jsonl"), options);
            }
            else if (context.Get(predictions) is { } p && context.Get(references) is { } r)
            {
                report = RougeReport.FromTextFiles(CliPaths.RequireFile(p, "--predictions"), CliPaths.RequireFile(r, "--references"), options);
            }
            else
            {
                throw new UsageException("give --predictions and --references (text files, one item per line), or --jsonl.");
            }

            context.Info($"{report.Rows.Count} predictions scored ({report.Source}){(options.Rouge.UseStemmer ? ", with stemming" : string.Empty)}; values ×100:");
            context.Console.Write(EvalOutput.RougeTable(report.Mean, report.Interval));
            if (context.Get(output) is { } path)
            {
                var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
                report.Save(folder, Path.GetFileNameWithoutExtension(path));
                context.Info($"wrote {path} (+ .md, .csv)");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
