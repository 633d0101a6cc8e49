using Peft.Adapters;
using Peft.Cli.Infrastructure;
using Peft.Data;
using Peft.Quantization;
using Peft.Training;

namespace Peft.Cli.Commands.Train;

/// <summary>The resolved settings of a training command as library option records, validated before anything is loaded.</summary>
internal sealed record TrainSettings
{
    public required string Model { get; init; }

    public required string Data { get; init; }

    public string? Tokenizer { get; init; }

    public string? Resume { get; init; }

    public required LoraConfig Lora { get; init; }

    public QuantizationConfig? Quantization { get; init; }

    public required TrainingOptions Training { get; init; }

    public required DatasetReadOptions ReadOptions { get; init; }

    public SftTrainerOptions? SftOptions { get; init; }

    public PreferenceTrainerOptions? PreferenceOptions { get; init; }

    /// <exception cref="UsageException">A required path is missing, a file does not exist, or a value is out of range.</exception>
    public static TrainSettings Read(SettingsReader s, TrainOptionSet o)
    {
        var model = CliPaths.RequireModelFolder(s.Required(o.Model));
        var data = CliPaths.RequireFile(s.Required(o.Data), "--data");
        var output = s.Required(o.Output);
        var resume = s.Resume(o.Resume);
        if (resume is not null && resume != "latest")
        {
            CliPaths.RequireFolder(resume, "--resume");
        }

        var targets = s.Get(o.TargetModules) ?? [];
        var allLinear = targets.Length == 1 && string.Equals(targets[0], LoraConfig.AllLinear, StringComparison.OrdinalIgnoreCase);
        var lora = new LoraConfig
        {
            R = s.Get(o.LoraR),
            LoraAlpha = s.Get(o.LoraAlpha),
            LoraDropout = s.Get(o.LoraDropout),
            TargetModules = allLinear ? null : targets,
            TargetModulesRegex = allLinear ? LoraConfig.AllLinear : null,
            UseRslora = s.Get(o.Rslora),
            UseDora = s.Get(o.Dora),
            BaseModelNameOrPath = Path.GetFullPath(model),
        };
        var quantization = QuantizationOptionSet.Build(s.Choice(o.Quantization.Quantize, QuantizationOptionSet.Kinds), s.Get(o.Quantization.DoubleQuant));
        var training = new TrainingOptions
        {
            OutputDirectory = output,
            Epochs = s.Get(o.Epochs),
            MaxSteps = s.Get(o.MaxSteps),
            BatchSize = s.Get(o.BatchSize),
            GradientAccumulationSteps = s.Get(o.GradAccum),
            LearningRate = s.Get(o.Lr),
            Schedule = s.Choice(o.Schedule, "constant", "linear", "cosine") switch
            {
                "constant" => LearningRateSchedule.Constant,
                "cosine" => LearningRateSchedule.Cosine,
                _ => LearningRateSchedule.Linear,
            },
            WarmupSteps = s.Get(o.WarmupSteps),
            WarmupRatio = s.Get(o.WarmupRatio),
            WeightDecay = s.Get(o.WeightDecay),
            MaxGradNorm = s.Get(o.MaxGradNorm),
            EvalSteps = s.Get(o.EvalSteps),
            SaveSteps = s.Get(o.SaveSteps),
            SaveTotalLimit = s.Get(o.SaveTotalLimit),
            LoggingSteps = s.Get(o.LoggingSteps),
            GradientCheckpointing = s.Get(o.GradientCheckpointing),
            Seed = s.Get(o.Seed),
            TensorBoard = s.Get(o.TensorBoard),
        };
        var evalRatio = s.Get(o.EvalRatio);
        var maxLength = s.Get(o.MaxLength);
        var read = new DatasetReadOptions
        {
            Columns = ColumnOptions.Training(s.Get(o.Columns)),
            SkipInvalid = s.Get(o.SkipInvalid),
            MaxRecords = s.Get(o.MaxRecords),
        };

        var settings = new TrainSettings
        {
            Model = model, Data = data, Tokenizer = s.Get(o.Tokenizer), Resume = resume, Lora = lora, Quantization = quantization,
            Training = training, ReadOptions = read,
        };
        Check(() => lora.Validate());
        Check(() => quantization?.Validate());
        Check(training.Validate);
        Require(evalRatio is >= 0 and < 1, $"--eval-ratio must be in [0, 1); found {evalRatio}.");
        Require(maxLength >= 2, $"--max-length must be at least 2; found {maxLength}.");
        Require(read.MaxRecords >= 0, $"--max-records must be ≥ 0; found {read.MaxRecords}.");
        if (!o.Preference)
        {
            return settings with
            {
                ReadOptions = read with
                {
                    Format = s.Choice(o.Format, "auto", "text", "prompt-completion", "messages", "alpaca") switch
                    {
                        "text" => SftFormat.Text,
                        "prompt-completion" => SftFormat.PromptCompletion,
                        "messages" => SftFormat.Messages,
                        "alpaca" => SftFormat.Alpaca,
                        _ => SftFormat.Auto,
                    },
                },
                SftOptions = new SftTrainerOptions
                {
                    Training = training,
                    EvalRatio = evalRatio,
                    Collator = new SftCollatorOptions { MaxLength = maxLength, Packing = s.Get(o.Packing), CompletionOnlyLoss = s.Get(o.CompletionOnlyLoss) },
                },
            };
        }

        var beta = s.Get(o.Beta);
        var smoothing = s.Get(o.LabelSmoothing);
        var maxPrompt = s.Get(o.MaxPromptLength);
        Require(beta > 0 && double.IsFinite(beta), $"--beta must be positive; found {beta}.");
        Require(smoothing is >= 0 and < 0.5, $"--label-smoothing must be in [0, 0.5); found {smoothing}.");
        Require(maxPrompt >= 1 && maxPrompt < maxLength, $"--max-prompt-length must be at least 1 and below --max-length {maxLength}; found {maxPrompt}.");
        var method = s.Choice(o.Method, "dpo", "orpo") == "orpo" ? PreferenceMethod.Orpo : PreferenceMethod.Dpo;
        var precompute = s.Get(o.PrecomputeReference);
        Require(!(precompute && method == PreferenceMethod.Orpo), "--precompute-reference applies to --method dpo only (ORPO has no reference model).");
        return settings with
        {
            PreferenceOptions = new PreferenceTrainerOptions
            {
                Training = training,
                Method = method,
                Dpo = new DpoOptions
                {
                    Beta = beta,
                    LabelSmoothing = smoothing,
                    LossType = s.Choice(o.Loss, "sigmoid", "ipo", "hinge") switch
                    {
                        "ipo" => DpoLossType.Ipo,
                        "hinge" => DpoLossType.Hinge,
                        _ => DpoLossType.Sigmoid,
                    },
                },
                Collator = new PreferenceCollatorOptions { MaxLength = maxLength, MaxPromptLength = maxPrompt },
                PrecomputeReference = precompute,
                EvalRatio = evalRatio,
            },
        };
    }

    private static void Check(Action validate)
    {
        try
        {
            validate();
        }
        catch (Exception ex) when (ex is ArgumentException or LoraConfigException)
        {
            throw new UsageException(ex.Message, ex);
        }
    }

    private static void Require(bool ok, string message)
    {
        if (!ok)
        {
            throw new UsageException(message);
        }
    }
}
