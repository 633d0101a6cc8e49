using System.CommandLine;
using Peft.Cli.Infrastructure;
using Peft.Evaluation;
using Peft.Evaluation.Rouge;
using Peft.Generation;
using Peft.IO;

namespace Peft.Cli.Commands.Eval;

/// <summary><c>peft eval generate</c>: generate an answer per prompt and score it with ROUGE (the library's <see cref="Evaluator"/>).</summary>
internal static class GenerateMode
{
    public static Command Create()
    {
        var model = new ModelOptionSet();
        var generation = new GenerationOptionSet(defaultMaxNewTokens: 128);
        var data = new Option<string>("--data", "-d") { Description = "Prompts with references: JSONL/JSON records {\"prompt\", \"reference\" | \"references\": [...]}.", HelpName = "file", Required = true };
        var columns = ColumnOptions.Create("prompt, reference, references");
        var maxRecords = new Option<int>("--max-records") { Description = "Evaluate at most N records (0: all).", HelpName = "n" };
        var batch = new Option<int>("--batch-size", "-b") { Description = "Prompts generated per batch.", DefaultValueFactory = _ => 8, HelpName = "n" };
        var types = new Option<string[]>("--rouge-types")
        {
            Description = "ROUGE metrics.",
            DefaultValueFactory = _ => ["rouge1", "rouge2", "rougeL", "rougeLsum"],
            AllowMultipleArgumentsPerToken = true,
            HelpName = "names",
        };
        var stemmer = new Option<bool>("--stemmer") { Description = "Porter-stem tokens for ROUGE." };
        var bootstrap = BootstrapOptionSet.Create();
        var perplexity = new Option<bool>("--perplexity") { Description = "Also measure the perplexity of the references given the prompts." };
        var output = new Option<string>("--output") { Description = "Write the report: file.json (for --compare), plus file.md beside it.", HelpName = "file.json" };
        var command = new Command("generate", "Generate an answer for every prompt of a dataset and score it against the references (ROUGE, optional reference perplexity).")
        {
            data, columns, maxRecords, batch, types, stemmer, bootstrap.Enabled, bootstrap.Seed, bootstrap.Resamples, perplexity, output,
        };
        foreach (var option in model.All.Concat(generation.All))
        {
            command.Options.Add(option);
        }

        CommandActions.Set(command, context =>
        {
            var file = CliPaths.RequireFile(context.Get(data), "--data");
            var rouge = new RougeOptions { RougeTypes = context.Get(types)!, UseStemmer = context.Get(stemmer) };
            var options = new EvaluationOptions
            {
                Generation = generation.Build(context, new GenerationOptions { MaxNewTokens = generation.DefaultMaxNewTokens }),
                BatchSize = context.Get(batch),
                Rouge = rouge,
                Bootstrap = bootstrap.Build(context),
                ComputePerplexity = context.Get(perplexity),
                ModelName = context.Get(model.Model),
                AdapterName = context.Get(model.Adapter),
            };
            try
            {
                options.Validate();
                RougeScorer.Create(rouge);
            }
            catch (ArgumentException ex)
            {
                throw new UsageException(ex.Message, ex);
            }

            var dataset = EvaluationDataset.Load(file, ColumnOptions.Evaluation(context.Get(columns)), context.Get(maxRecords));
            using var loaded = model.Load(context);
            var evaluator = Evaluator.Create(loaded.Model, loaded.Tokenizer, options);
            var progress = new Progress<EvaluationProgress>(p =>
            {
                if (context.Verbose)
                {
                    context.Error.WriteLine($"info: {p.Stage} {p.Completed}/{p.Total}");
                }
            });
            var report = evaluator.Evaluate(dataset, progress, context.Cancellation);
            context.Info($"{report.Metrics.Examples} examples; {Numbers.Count(report.Metrics.GeneratedTokens)} tokens generated in {Numbers.Fixed(report.Metrics.GenerationSeconds, 1)} s; ROUGE ×100:");
            context.Console.Write(EvalOutput.RougeTable(report.Metrics.Rouge, report.Metrics.RougeInterval));
            if (report.Metrics.ReferencePerplexity is { } ppl)
            {
                context.Info($"reference perplexity {Numbers.Fixed(ppl.Perplexity, 3)} over {Numbers.Count(ppl.Tokens)} tokens");
            }

            if (context.Get(output) is { } path)
            {
                AtomicFile.WriteAllText(path, report.ToJson());
                AtomicFile.WriteAllText(EvalOutput.Sibling(path, ".md"), report.ToMarkdown());
                context.Info($"wrote {path} (+ .md)");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
