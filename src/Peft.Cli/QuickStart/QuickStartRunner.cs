using System.Diagnostics;
using Peft.Adapters;
using Peft.Data;
using Peft.Evaluation;
using Peft.Generation;
using Peft.Models;
using Peft.Quantization;
using Peft.Tokenization;
using Peft.Training;
using static TorchSharp.torch;

namespace Peft.Cli.QuickStart;

/// <summary>
/// The QuickStart: (1) a toy Llama-architecture base model is trained on the spot (or a real model folder is
/// loaded), (2) it is evaluated on SciTLDR summarisation, (3) a LoRA (or QLoRA) adapter is fine-tuned on the task,
/// (4) the fine-tuned model is evaluated the same way, and (5) a before/after report and chart are written.
/// </summary>
internal sealed class QuickStartRunner
{
    private readonly QuickStartOptions _options;
    private readonly Action<string> _log;
    private readonly IProgress<TrainingProgress>? _training;

    public QuickStartRunner(QuickStartOptions options, Action<string> log, IProgress<TrainingProgress>? training = null)
    {
        _options = options;
        _log = log;
        _training = training;
    }

    public QuickStartResult Run(CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        manual_seed(_options.Seed);
        Directory.CreateDirectory(_options.OutputDirectory);
        var task = QuickStartTask.Load(_options.DataDirectory, _options.TrainExamples, _options.EvalExamples, _options.MaxAbstractWords);
        _log($"Task: SciTLDR-A summarisation — {task.Train.Count} training pairs, {task.Eval.Count} held-out abstracts.");

        var modelFolder = _options.ModelFolder ?? TrainToyBaseModel(task, cancellationToken);
        var tokenizer = PretrainedTokenizer.FromPretrained(modelFolder);
        var loadOptions = new ModelLoadOptions { Device = _options.Device };

        var baseReport = Evaluate(LoadBase(modelFolder, loadOptions), tokenizer, task, "base", adapter: null, cancellationToken);
        var adapterFolder = Path.Combine(_options.OutputDirectory, "adapter");
        using (var peft = PeftModel.Create(LoadBase(modelFolder, loadOptions), new LoraConfig
               {
                   R = 16, LoraAlpha = 32, LoraDropout = 0.05, TargetModulesRegex = LoraConfig.AllLinear,
                   BaseModelNameOrPath = _options.ModelFolder ?? "peft-quickstart/base-model",
               }))
        {
            _log($"{(_options.QLoRA ? "QLoRA (NF4 base)" : "LoRA")} fine-tuning: {peft.TrainableParametersSummary()}");
            var trainer = SftTrainer.Create(new AdapterTraining(peft), tokenizer, task.Train, new SftTrainerOptions
            {
                Training = new TrainingOptions
                {
                    OutputDirectory = adapterFolder,
                    Epochs = _options.FineTuneEpochs,
                    BatchSize = 8,
                    LearningRate = _options.FineTuneLearningRate,
                    Schedule = LearningRateSchedule.Cosine,
                    WarmupRatio = 0.05,
                    LoggingSteps = 5,
                    Seed = _options.Seed,
                    TensorBoard = false,
                },
                Collator = new SftCollatorOptions { MaxLength = 512 },
            });
            if (_training is not null)
            {
                trainer.Trainer.Progress = _training;
            }

            trainer.Train(cancellationToken: cancellationToken);
        }

        using var tuned = PeftModel.FromPretrained(LoadBase(modelFolder, loadOptions), adapterFolder);
        var tunedReport = Evaluate(tuned.BaseModel, tokenizer, task, "fine-tuned", adapterFolder, cancellationToken);
        var comparison = ReportComparison.Create(baseReport, tunedReport, "base", "fine-tuned");
        comparison.Save(_options.OutputDirectory);
        return new QuickStartResult(baseReport, tunedReport, comparison, modelFolder, adapterFolder, _options.ModelFolder is null, clock.Elapsed);
    }

    private CausalLM LoadBase(string folder, ModelLoadOptions options) =>
        _options.QLoRA ? QuantizedModel.FromPretrained(folder, QuantizationConfig.Nf4(doubleQuant: true), options) : CausalLM.FromPretrained(folder, options);

    private EvaluationReport Evaluate(CausalLM model, PretrainedTokenizer tokenizer, QuickStartTask task, string label, string? adapter, CancellationToken ct)
    {
        _log($"Evaluating the {label} model: generating TLDRs for {task.Eval.Count} abstracts, scoring ROUGE and reference perplexity…");
        var evaluator = Evaluator.Create(model, tokenizer, new EvaluationOptions
        {
            Generation = new GenerationOptions { MaxNewTokens = 48, StopStrings = new[] { "\n" } },
            ComputePerplexity = true,
            BatchSize = 8,
            ModelName = label,
            AdapterName = adapter,
        });
        var report = evaluator.Evaluate(EvaluationDataset.Create(task.Eval, "scitldr-A dev"), cancellationToken: ct);
        report.Save(Path.Combine(_options.OutputDirectory, "eval-" + label.Replace(' ', '-')));
        if (adapter is null)
        {
            model.Dispose();
        }

        return report;
    }

    /// <summary>Trains a tokenizer and a small Llama on stories and abstracts, and saves them as a Hugging Face folder.</summary>
    private string TrainToyBaseModel(QuickStartTask task, CancellationToken ct)
    {
        var folder = Path.Combine(_options.OutputDirectory, "base-model");
        _log("No --model given: training a toy base model on the spot (a tiny Llama on TinyStories and SciTLDR abstracts).");
        ByteLevelBpeTrainer.Train(task.PretrainingTexts, _options.VocabSize, folder, new[] { "<|endoftext|>" },
            bosToken: "<|endoftext|>", eosToken: "<|endoftext|>", padToken: "<|endoftext|>");
        var tokenizer = PretrainedTokenizer.FromPretrained(folder);
        var config = new ModelConfig
        {
            ModelType = "llama",
            VocabSize = tokenizer.VocabSizeWithAddedTokens,
            HiddenSize = 128,
            IntermediateSize = 352,
            NumHiddenLayers = 4,
            NumAttentionHeads = 4,
            NumKeyValueHeads = 2,
            HeadDim = 32,
            MaxPositionEmbeddings = 1024,
            TieWordEmbeddings = true,
            BosTokenId = tokenizer.BosTokenId,
            EosTokenIds = tokenizer.EosTokenIds,
        };
        using var model = CausalLM.Create(config, new ModelLoadOptions { Device = _options.Device }, _options.Seed);
        _log($"Toy base model: {config.ParameterCount() / 1e6:F2}M parameters, vocabulary {config.VocabSize} (byte-level BPE trained here).");
        var trainer = SftTrainer.Create(new FullModelTraining(model), tokenizer, task.PretrainingTexts.Select(SftExample.FromText).ToList(), new SftTrainerOptions
        {
            Training = new TrainingOptions
            {
                OutputDirectory = Path.Combine(_options.OutputDirectory, "pretraining"),
                MaxSteps = _options.PretrainSteps,
                BatchSize = 8,
                LearningRate = 3e-3,
                Schedule = LearningRateSchedule.Cosine,
                WarmupSteps = 10,
                WeightDecay = 0.01,
                LoggingSteps = 10,
                Seed = _options.Seed,
                TensorBoard = false,
            },
            Collator = new SftCollatorOptions { MaxLength = 256, Packing = true },
        });
        if (_training is not null)
        {
            trainer.Trainer.Progress = _training;
        }

        trainer.Train(cancellationToken: ct);
        model.eval();
        model.SavePretrained(folder);
        return folder;
    }
}
