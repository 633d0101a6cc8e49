using System.CommandLine;
using Peft.Cli.Infrastructure;

namespace Peft.Cli.Commands.Train;

/// <summary>The options of <c>train sft</c> and <c>train dpo</c>. Each can also be set in <c>--config</c> under its name without dashes, '-' as '_'.</summary>
internal sealed class TrainOptionSet
{
    public TrainOptionSet(bool preference)
    {
        Preference = preference;
        Columns = ColumnOptions.Create(preference ? "prompt, chosen, rejected" : "text, prompt, completion, messages, instruction, input, output");
    }

    public bool Preference { get; }

    // Inputs and outputs
    public Option<string> Config { get; } = new("--config")
    {
        Description = "A JSON file with any of these options (names without dashes, '-' as '_', e.g. {\"lora_r\": 16, \"max_steps\": 100}); flags on the command line override it.",
        HelpName = "file.json",
    };

    public Option<string> Model { get; } = new("--model", "-m") { Description = "The base model: a Hugging Face model folder (config.json + safetensors + tokenizer).", HelpName = "folder" };

    public Option<string> Data { get; } = new("--data", "-d") { Description = "Training data: a .jsonl or .json file.", HelpName = "file" };

    public Option<string> Output { get; } = new("--output", "-o") { Description = "Output folder: the adapter, checkpoints, metrics.jsonl, training_summary.json.", HelpName = "folder" };

    public Option<string> Tokenizer { get; } = new("--tokenizer") { Description = "Tokenizer folder (default: the model folder).", HelpName = "folder" };

    public Option<string?> Resume { get; } = new("--resume")
    {
        Description = "Continue from a checkpoint folder, or 'latest' (the default when no value is given) for the newest one in the output folder.",
        HelpName = "path|latest",
        Arity = ArgumentArity.ZeroOrOne,
    };

    // LoRA
    public Option<int> LoraR { get; } = new("--lora-r", "-r") { Description = "LoRA rank r.", DefaultValueFactory = _ => 16, HelpName = "r" };

    public Option<double> LoraAlpha { get; } = new("--lora-alpha") { Description = "LoRA alpha (scaling alpha/r, or alpha/sqrt(r) with --rslora).", DefaultValueFactory = _ => 32, HelpName = "alpha" };

    public Option<double> LoraDropout { get; } = new("--lora-dropout") { Description = "Dropout on the adapter input.", DefaultValueFactory = _ => 0.05, HelpName = "p" };

    public Option<string[]> TargetModules { get; } = new("--target-modules")
    {
        Description = "Modules to adapt: 'all-linear' (every linear layer but lm_head) or names such as q_proj v_proj.",
        DefaultValueFactory = _ => ["all-linear"],
        AllowMultipleArgumentsPerToken = true,
        HelpName = "names",
    };

    public Option<bool> Rslora { get; } = new("--rslora") { Description = "Rank-stabilised LoRA: scale by alpha/sqrt(r)." };

    public Option<bool> Dora { get; } = new("--dora") { Description = "DoRA: weight-decomposed LoRA (a trainable magnitude per output)." };

    public QuantizationOptionSet Quantization { get; } = new();

    // Training loop
    public Option<double> Epochs { get; } = new("--epochs") { Description = "Passes over the data (ignored when --max-steps is set).", DefaultValueFactory = _ => 1, HelpName = "n" };

    public Option<int> MaxSteps { get; } = new("--max-steps") { Description = "Total optimizer steps (overrides --epochs when > 0).", HelpName = "n" };

    public Option<int> BatchSize { get; } = new("--batch-size", "-b") { Description = "Examples per micro-batch.", DefaultValueFactory = _ => 4, HelpName = "n" };

    public Option<int> GradAccum { get; } = new("--grad-accum") { Description = "Micro-batches accumulated per optimizer step (gradient_accumulation_steps).", DefaultValueFactory = _ => 1, HelpName = "n" };

    public Option<double> Lr { get; } = new("--lr") { Description = "Peak learning rate.", DefaultValueFactory = _ => 2e-4, HelpName = "rate" };

    public Option<string> Schedule { get; } = new Option<string>("--schedule")
    {
        Description = "Learning-rate schedule after warmup.",
        DefaultValueFactory = _ => "linear",
        HelpName = "constant|linear|cosine",
    }.AcceptOnlyFromAmong("constant", "linear", "cosine");

    public Option<int> WarmupSteps { get; } = new("--warmup-steps") { Description = "Linear warmup steps (overrides --warmup-ratio when > 0).", HelpName = "n" };

    public Option<double> WarmupRatio { get; } = new("--warmup-ratio") { Description = "Warmup as a fraction of the total steps.", HelpName = "x" };

    public Option<double> WeightDecay { get; } = new("--weight-decay") { Description = "AdamW decoupled weight decay.", HelpName = "x" };

    public Option<double> MaxGradNorm { get; } = new("--max-grad-norm") { Description = "Gradient clipping threshold (0: off).", DefaultValueFactory = _ => 1.0, HelpName = "x" };

    public Option<int> MaxLength { get; } = new("--max-length") { Description = "Longest tokenized example (longer ones are truncated).", DefaultValueFactory = _ => 1024, HelpName = "tokens" };

    public Option<double> EvalRatio { get; } = new("--eval-ratio") { Description = "Fraction of the data held out for evaluation.", HelpName = "x" };

    public Option<int> EvalSteps { get; } = new("--eval-steps") { Description = "Evaluate every N steps (0: at the end only, when there is eval data).", HelpName = "n" };

    public Option<int> SaveSteps { get; } = new("--save-steps") { Description = "Save a resumable checkpoint every N steps (0: only on Ctrl+C).", HelpName = "n" };

    public Option<int> SaveTotalLimit { get; } = new("--save-total-limit") { Description = "Checkpoints to keep (0: all).", DefaultValueFactory = _ => 2, HelpName = "n" };

    public Option<int> LoggingSteps { get; } = new("--logging-steps") { Description = "Report progress and write metrics every N steps.", DefaultValueFactory = _ => 10, HelpName = "n" };

    public Option<bool> GradientCheckpointing { get; } = new("--gradient-checkpointing") { Description = "Recompute activations in the backward pass (less memory, ~30% slower)." };

    public Option<long> Seed { get; } = new("--seed") { Description = "Seed for data order, dropout and initialisation.", DefaultValueFactory = _ => 42, HelpName = "n" };

    public Option<bool> TensorBoard { get; } = new("--tensorboard") { Description = "Write TensorBoard event files under <output>/runs.", DefaultValueFactory = _ => true };

    // Data
    public Option<string> Format { get; } = new Option<string>("--format")
    {
        Description = "Record format (default: detected from the first record).",
        DefaultValueFactory = _ => "auto",
        HelpName = "auto|text|prompt-completion|messages|alpaca",
    }.AcceptOnlyFromAmong("auto", "text", "prompt-completion", "messages", "alpaca");

    public Option<string[]> Columns { get; }

    public Option<bool> SkipInvalid { get; } = new("--skip-invalid") { Description = "Skip malformed records (and count them) instead of stopping at the first." };

    public Option<int> MaxRecords { get; } = new("--max-records") { Description = "Read at most N records (0: all).", HelpName = "n" };

    // SFT
    public Option<bool> Packing { get; } = new("--packing") { Description = "Pack several short examples into each row (they do not attend to each other)." };

    public Option<bool> CompletionOnlyLoss { get; } = new("--completion-only-loss")
    {
        Description = "Loss only on completions and assistant turns; '--completion-only-loss false' trains on every token.",
        DefaultValueFactory = _ => true,
    };

    // Preference
    public Option<string> Method { get; } = new Option<string>("--method")
    {
        Description = "Preference objective: dpo (against the base model as reference) or orpo (reference-free).",
        DefaultValueFactory = _ => "dpo",
        HelpName = "dpo|orpo",
    }.AcceptOnlyFromAmong("dpo", "orpo");

    public Option<double> Beta { get; } = new("--beta") { Description = "DPO beta (ORPO lambda).", DefaultValueFactory = _ => 0.1, HelpName = "x" };

    public Option<string> Loss { get; } = new Option<string>("--loss")
    {
        Description = "DPO loss.",
        DefaultValueFactory = _ => "sigmoid",
        HelpName = "sigmoid|ipo|hinge",
    }.AcceptOnlyFromAmong("sigmoid", "ipo", "hinge");

    public Option<double> LabelSmoothing { get; } = new("--label-smoothing") { Description = "Conservative DPO epsilon (sigmoid loss).", HelpName = "x" };

    public Option<bool> PrecomputeReference { get; } = new("--precompute-reference") { Description = "DPO: compute the reference log-probabilities once before training (faster steps)." };

    public Option<int> MaxPromptLength { get; } = new("--max-prompt-length") { Description = "Longest prompt (longer prompts keep their end).", DefaultValueFactory = _ => 512, HelpName = "tokens" };

    /// <summary>Every option of the command, in help order.</summary>
    public IEnumerable<Option> All
    {
        get
        {
            IEnumerable<Option> common =
            [
                Config, Model, Data, Output, Tokenizer, Resume,
                LoraR, LoraAlpha, LoraDropout, TargetModules, Rslora, Dora,
                .. Quantization.All,
                Epochs, MaxSteps, BatchSize, GradAccum, Lr, Schedule, WarmupSteps, WarmupRatio, WeightDecay, MaxGradNorm, MaxLength,
                EvalRatio, EvalSteps, SaveSteps, SaveTotalLimit, LoggingSteps, GradientCheckpointing, Seed, TensorBoard,
            ];
            IEnumerable<Option> specific = Preference
                ? [Columns, SkipInvalid, MaxRecords, Method, Beta, Loss, LabelSmoothing, PrecomputeReference, MaxPromptLength]
                : [Format, Columns, SkipInvalid, MaxRecords, Packing, CompletionOnlyLoss];
            return common.Concat(specific);
        }
    }
}
