using System.CommandLine;
using System.CommandLine.Parsing;
using Peft.Adapters;
using Peft.Cli.Infrastructure;
using Peft.Data;
using Peft.Models;
using Peft.Quantization;
using Peft.Training;

namespace Peft.Cli.Commands.Train;

/// <summary>Runs <c>train sft</c> / <c>train dpo</c>: settings → library options, data, model, adapter, trainer.</summary>
internal static class TrainingRun
{
    public static int Execute(CliContext context, TrainOptionSet o)
    {
        var config = context.Given(o.Config)
            ? ConfigFile.Load(context.Get(o.Config)!, o.All.Where(x => x != o.Config).Append(GlobalOptions.Device))
            : null;
        var s = new SettingsReader(context, config);
        context.Device = s.Get(GlobalOptions.Device);
        var settings = TrainSettings.Read(s, o);

        var data = LoadData(settings, o);
        foreach (var skipped in data.Skipped.Take(5))
        {
            context.Warn($"{settings.Data}:{skipped.Line}: skipped: {skipped.Problem}");
        }

        if (data.Skipped.Count > 5)
        {
            context.Warn($"{data.Skipped.Count - 5} more malformed records skipped.");
        }

        var tokenizer = ModelLoading.LoadTokenizer(settings.Model, settings.Tokenizer);
        var model = ModelLoading.LoadBase(context, settings.Model, settings.Quantization);
        using var peft = CreateAdapter(model, settings.Lora, context);
        var trainable = new AdapterTraining(peft);
        context.Info($"model      {settings.Model} ({Numbers.Count(model.Config.ParameterCount())} parameters, {DescribeQuantization(QuantizedModel.GetConfig(model))}, {model.Device})");
        context.Info($"adapter    {(settings.Lora.UseDora ? "DoRA" : "LoRA")} r={settings.Lora.R} alpha={settings.Lora.LoraAlpha}{(settings.Lora.UseRslora ? " (rsLoRA)" : string.Empty)}; {peft.TrainableParametersSummary()}");

        TrainingResult result;
        if (o.Preference)
        {
            var trainer = PreferenceTrainer.Create(trainable, tokenizer, data.Preference!, settings.PreferenceOptions!);
            Announce(context, settings, trainer.Data.TrainExamples, trainer.Data.EvalExamples, data.Skipped.Count, trainer.Trainer.TotalSteps);
            result = TrainingProgressView.Run(context, trainer.Trainer.TotalSteps, h => trainer.Trainer.ProgressChanged += h,
                () => trainer.Train(settings.Resume, context.Cancellation));
        }
        else
        {
            var trainer = SftTrainer.Create(trainable, tokenizer, data.Sft!, settings.SftOptions!);
            Announce(context, settings, trainer.Data.TrainExamples, trainer.Data.EvalExamples, data.Skipped.Count, trainer.Trainer.TotalSteps);
            result = TrainingProgressView.Run(context, trainer.Trainer.TotalSteps, h => trainer.Trainer.ProgressChanged += h,
                () => trainer.Train(settings.Resume, context.Cancellation));
        }

        return Finish(context, result);
    }

    private static (IReadOnlyList<SftExample>? Sft, IReadOnlyList<PreferenceExample>? Preference, IReadOnlyList<SkippedRecord> Skipped) LoadData(
        TrainSettings settings, TrainOptionSet o)
    {
        if (o.Preference)
        {
            var pairs = PreferenceDataset.Load(settings.Data, settings.ReadOptions);
            return (null, pairs.Examples, pairs.Skipped);
        }

        var dataset = SftDataset.Load(settings.Data, settings.ReadOptions);
        return (dataset.Examples, null, dataset.Skipped);
    }

    private static PeftModel CreateAdapter(CausalLM model, LoraConfig lora, CliContext context)
    {
        try
        {
            return PeftModel.Create(model, lora, logger: context.Logger);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static void Announce(CliContext context, TrainSettings settings, int train, int eval, int skipped, long totalSteps)
    {
        context.Info($"data       {settings.Data}: {Numbers.Count(train)} training and {Numbers.Count(eval)} evaluation examples"
                     + (skipped > 0 ? $", {Numbers.Count(skipped)} malformed skipped" : string.Empty));
        context.Info($"training   {Numbers.Count(totalSteps)} steps, batch {settings.Training.BatchSize} × {settings.Training.GradientAccumulationSteps} accumulation, "
                     + $"lr {Numbers.Rate(settings.Training.LearningRate)} ({settings.Training.Schedule.ToString().ToLowerInvariant()}) → {Path.GetFullPath(settings.Training.OutputDirectory)}"
                     + (settings.Resume is null ? string.Empty : $" (resuming from {settings.Resume})"));
    }

    private static int Finish(CliContext context, TrainingResult result)
    {
        if (result.Cancelled)
        {
            context.Info($"Interrupted after step {result.Steps}; checkpoint saved to {result.LastCheckpoint}; adapter so far saved to {result.OutputDirectory}.");
            context.Info($"Resume with: {ResumeCommand(context.Parse)}");
            return ExitCodes.Interrupted;
        }

        var metrics = result.FinalMetrics;
        string Metric(string name) => metrics.TryGetValue(name, out var v) ? Numbers.Fixed(v) : "-";
        context.Info($"done       {result.Steps} steps in {Numbers.Duration(result.WallTime)} ({Numbers.Count((long)result.TokensPerSecond)} tok/s); "
                     + $"loss {Metric("loss")}, eval_loss {Metric("eval_loss")}");
        context.Info($"adapter    saved to {Path.GetFullPath(result.OutputDirectory)} (adapter_config.json + {PeftModel.WeightsFileName}); "
                     + $"try: peft generate --model <model> --adapter {result.OutputDirectory} --prompt \"...\"");
        return ExitCodes.Success;
    }

    /// <summary>The same command line with <c>--resume latest</c> instead of any <c>--resume</c> given.</summary>
    internal static string ResumeCommand(ParseResult parse)
    {
        var tokens = parse.Tokens.ToList();
        var words = new List<string> { "peft" };
        for (var i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Value == "--resume")
            {
                if (i + 1 < tokens.Count && tokens[i + 1].Type == TokenType.Argument)
                {
                    i++;
                }

                continue;
            }

            words.Add(Quote(tokens[i].Value));
        }

        words.Add("--resume");
        words.Add("latest");
        return string.Join(' ', words);
    }

    private static string Quote(string word) =>
        word.Length > 0 && word.All(c => char.IsLetterOrDigit(c) || "-_./:=+,@".Contains(c)) ? word : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string DescribeQuantization(QuantizationConfig? q) => q switch
    {
        null => "dense",
        { LoadIn8Bit: true } => "int8",
        _ => $"{q.Bnb4BitQuantType.ToString().ToLowerInvariant()}{(q.Bnb4BitUseDoubleQuant ? " + double quant" : string.Empty)}",
    };
}
