using System.CommandLine;
using System.Globalization;
using Peft.Cli.Commands.Train;
using Peft.Cli.Infrastructure;
using Peft.Evaluation;
using Peft.Training;
using Spectre.Console;

namespace Peft.Cli.QuickStart;

/// <summary><c>peft quickstart</c>: the README's main job, fully offline on the embedded data.</summary>
internal static class QuickStartCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "A real Hugging Face model folder to fine-tune instead of the toy model trained on the spot.", HelpName = "folder" };
        var output = new Option<string>("--output", "-o") { Description = "Where the models, adapter, reports and chart go.", HelpName = "folder", DefaultValueFactory = _ => "peft-quickstart" };
        var qlora = new Option<bool>("--qlora") { Description = "Quantize the frozen base to NF4 with double quantization (QLoRA)." };
        var train = new Option<int>("--train-examples") { Description = "SciTLDR training pairs to fine-tune on.", DefaultValueFactory = _ => new QuickStartOptions { DataDirectory = "" }.TrainExamples };
        var eval = new Option<int>("--eval-examples") { Description = "Held-out abstracts to evaluate on.", DefaultValueFactory = _ => new QuickStartOptions { DataDirectory = "" }.EvalExamples };
        var pretrain = new Option<int>("--pretrain-steps") { Description = "Optimizer steps to train the toy base model.", DefaultValueFactory = _ => new QuickStartOptions { DataDirectory = "" }.PretrainSteps };
        var epochs = new Option<double>("--epochs") { Description = "Fine-tuning epochs.", DefaultValueFactory = _ => new QuickStartOptions { DataDirectory = "" }.FineTuneEpochs };
        var learningRate = new Option<double>("--learning-rate") { Description = "Fine-tuning learning rate.", DefaultValueFactory = _ => new QuickStartOptions { DataDirectory = "" }.FineTuneLearningRate };
        var seed = new Option<long>("--seed") { Description = "Seed of everything random.", DefaultValueFactory = _ => 42 };
        var command = new Command("quickstart",
            "Train a toy Llama base model on the spot (or load --model), evaluate it on SciTLDR summarisation, fine-tune a LoRA adapter, "
            + "evaluate again, and print and save a before/after report. Runs offline in a few minutes on a CPU.")
        {
            model, output, qlora, train, eval, pretrain, epochs, learningRate, seed,
        };
        CommandActions.Set(command, context =>
        {
            var options = new QuickStartOptions
            {
                DataDirectory = Path.Combine(AppContext.BaseDirectory, "QuickStartData"),
                OutputDirectory = context.Get(output)!,
                ModelFolder = context.Get(model) is { } m ? CliPaths.RequireModelFolder(m) : null,
                QLoRA = context.Get(qlora),
                Device = context.Device,
                TrainExamples = Positive(context.Get(train), "--train-examples"),
                EvalExamples = Positive(context.Get(eval), "--eval-examples"),
                PretrainSteps = Positive(context.Get(pretrain), "--pretrain-steps"),
                FineTuneEpochs = context.Get(epochs) > 0 ? context.Get(epochs) : throw new UsageException("--epochs must be positive."),
                FineTuneLearningRate = context.Get(learningRate) > 0 ? context.Get(learningRate) : throw new UsageException("--learning-rate must be positive."),
                Seed = context.Get(seed),
            };
            if (!Directory.Exists(options.DataDirectory))
            {
                throw new InvalidOperationException($"The QuickStart data is missing: '{options.DataDirectory}' does not exist (reinstall the tool or rebuild src/Peft.Cli).");
            }

            var result = new QuickStartRunner(options, context.Info, new SynchronousProgress(p => context.Info("  " + TrainingProgressView.Line(p))))
                .Run(context.Cancellation);
            Print(context, result);
            return ExitCodes.Success;
        });
        return command;
    }

    private static int Positive(int value, string name) => value > 0 ? value : throw new UsageException($"{name} must be positive; found {value}.");

    private static void Print(CliContext context, QuickStartResult result)
    {
        var table = new Table().Title("SciTLDR summarisation: base vs fine-tuned").AddColumns("metric", "base", "fine-tuned", "change");
        foreach (var delta in result.Comparison.Metrics)
        {
            table.AddRow(delta.Metric, Format(delta.Before), Format(delta.After), delta.Improved ? $"[green]{Format(delta.Delta, true)}[/]" : Format(delta.Delta, true));
        }

        context.Console.Write(table);
        var folder = Path.GetFullPath(Path.GetDirectoryName(result.AdapterFolder)!);
        context.Info($"Reports: {folder}/eval-base, {folder}/eval-fine-tuned, {folder}/{ReportComparison.MarkdownFileName}, {folder}/{ReportComparison.ChartFileName}");
        context.Info($"Adapter (PEFT format): {Path.GetFullPath(result.AdapterFolder)}");
        if (result.ToyModel)
        {
            context.Info("Note: the base model is a toy (under 1M parameters) trained on the spot on 100 children's stories and a few hundred abstracts,");
            context.Info("so its summaries are rough; what matters is that fine-tuning measurably improves them. To fine-tune a real model, point");
            context.Info("--model at a Hugging Face folder (config.json, *.safetensors, tokenizer files), e.g.: peft quickstart --model ./Qwen2.5-0.5B-Instruct --qlora");
        }

        context.Info($"Done in {result.Elapsed.TotalMinutes.ToString("F1", CultureInfo.InvariantCulture)} minutes.");
    }

    private static string Format(double value, bool signed = false) =>
        (signed && value > 0 ? "+" : string.Empty) + value.ToString(Math.Abs(value) >= 100 ? "F1" : "F4", CultureInfo.InvariantCulture);

    /// <summary>Reports progress on the calling thread (Progress&lt;T&gt; would post to the thread pool and reorder lines).</summary>
    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
