using System.CommandLine;
using Peft.Cli.Infrastructure;
using Peft.Evaluation;
using Spectre.Console;

namespace Peft.Cli.Commands.Eval;

/// <summary><c>peft eval perplexity</c>: token-weighted perplexity of a model (+ adapter) on a text or JSONL dataset.</summary>
internal static class PerplexityMode
{
    public static Command Create()
    {
        var model = new ModelOptionSet();
        var data = new Option<string>("--data", "-d") { Description = "A .jsonl/.json file (its \"text\" field per record) or any other file (one text).", HelpName = "file", Required = true };
        var columns = ColumnOptions.Create("text");
        var maxRecords = new Option<int>("--max-records") { Description = "Read at most N records (0: all).", HelpName = "n" };
        var maxLength = new Option<int?>("--max-length") { Description = "Window length in tokens (default: the model's max positions, at most 2048).", HelpName = "tokens" };
        var stride = new Option<int?>("--stride") { Description = "Sliding-window stride for longer texts (default: half the window).", HelpName = "tokens" };
        var batch = new Option<int>("--batch-size", "-b") { Description = "Windows per forward pass.", DefaultValueFactory = _ => 8, HelpName = "n" };
        var addBos = new Option<bool>("--add-bos") { Description = "Prepend BOS so each text's first token is scored too." };
        var output = new Option<string>("--output") { Description = "Write the report as JSON (peft-perplexity-report).", HelpName = "file.json" };
        var command = new Command("perplexity", "Perplexity of a model (with an optional adapter) on texts: exp(mean token NLL), sliding window for long texts.")
        {
            data, columns, maxRecords, maxLength, stride, batch, addBos, output,
        };
        foreach (var option in model.All)
        {
            command.Options.Add(option);
        }

        CommandActions.Set(command, context =>
        {
            var options = new PerplexityOptions
            {
                MaxLength = context.Get(maxLength),
                Stride = context.Get(stride),
                BatchSize = context.Get(batch),
                AddBos = context.Get(addBos),
            };
            try
            {
                options.Validate();
            }
            catch (ArgumentException ex)
            {
                throw new UsageException(ex.Message, ex);
            }

            var file = CliPaths.RequireFile(context.Get(data), "--data");
            var texts = TextDataset.Load(file, ColumnOptions.Evaluation(context.Get(columns)).Text, context.Get(maxRecords));
            using var loaded = model.Load(context);
            var result = Perplexity.Compute(loaded.Model, loaded.Tokenizer, texts, options, cancellationToken: context.Cancellation);
            var table = new Table().AddColumns("perplexity", "mean NLL", "tokens", "texts", "window / stride", "seconds");
            table.AddRow(Numbers.Fixed(result.Perplexity, 3), Numbers.Fixed(result.MeanNll), Numbers.Count(result.TokenCount), Numbers.Count(texts.Count),
                $"{result.MaxLength} / {result.Stride}", Numbers.Fixed(result.Elapsed.TotalSeconds, 2));
            context.Console.Write(table);
            if (context.Get(output) is { } path)
            {
                PerplexityReport.Create(result, loaded.Model, options, file, loaded.Folder, loaded.AdapterFolder).Save(path);
                context.Info($"wrote {path}");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
