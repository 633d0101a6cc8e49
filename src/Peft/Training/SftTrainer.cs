using Peft.Data;
using Peft.Tokenization;

namespace Peft.Training;

/// <summary>
/// Supervised fine-tuning in one call, like TRL's <c>SFTTrainer</c>: tokenizes the examples (conversations with
/// the tokenizer's chat template), splits off an evaluation set, and runs the shared training loop with the
/// SFT objective.
/// </summary>
/// <example>
/// <code>
/// var peft = PeftModel.Create(CausalLM.FromPretrained(folder), new LoraConfig { R = 16, LoraAlpha = 32, TargetModulesRegex = LoraConfig.AllLinear });
/// var tokenizer = PretrainedTokenizer.FromPretrained(folder);
/// var data = SftDataset.Load("train.jsonl");
/// var trainer = SftTrainer.Create(new AdapterTraining(peft), tokenizer, data.Examples,
///     new SftTrainerOptions { Training = new TrainingOptions { OutputDirectory = "out", Epochs = 3 } });
/// trainer.Train();
/// </code>
/// </example>
public sealed class SftTrainer
{
    private SftTrainer(Trainer<SftBatch> trainer, SftTrainingData data)
    {
        Trainer = trainer;
        Data = data;
    }

    /// <summary>The underlying loop (subscribe to its progress here).</summary>
    public Trainer<SftBatch> Trainer { get; }

    /// <summary>The tokenized, batched data.</summary>
    public SftTrainingData Data { get; }

    /// <summary>Prepares a run.</summary>
    /// <param name="model">What trains (an adapter, or the whole model).</param>
    /// <param name="tokenizer">The tokenizer; a <see cref="PretrainedTokenizer"/> also renders conversations with its chat template.</param>
    /// <param name="train">Training examples.</param>
    /// <param name="options">Loop, collation and split settings.</param>
    /// <param name="eval">Evaluation examples; null to hold out <see cref="SftTrainerOptions.EvalRatio"/> of the training examples.</param>
    /// <param name="renderChat">Renders conversations; null uses the tokenizer's chat template when it is a <see cref="PretrainedTokenizer"/>.</param>
    /// <exception cref="DataFormatException">An example cannot be tokenized (file and line named).</exception>
    public static SftTrainer Create(ITrainableModel model, ITokenCodec tokenizer, IReadOnlyList<SftExample> train, SftTrainerOptions options,
        IReadOnlyList<SftExample>? eval = null, Func<IReadOnlyList<ChatMessage>, bool, string>? renderChat = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        renderChat ??= ChatRenderer(tokenizer);
        if (eval is null && options.EvalRatio > 0)
        {
            (train, eval) = DatasetSplit.Split(train, options.EvalRatio, unchecked((int)options.Training.Seed));
        }

        var collator = new SftCollator(tokenizer, options.Collator, renderChat);
        var data = new SftTrainingData(collator, train.Select(collator.Tokenize).ToList(),
            (eval ?? Array.Empty<SftExample>()).Select(collator.Tokenize).ToList(), options.Training.BatchSize, options.Training.Seed);
        return new SftTrainer(new Trainer<SftBatch>(model, new SftObjective(model.Model), data, options.Training), data);
    }

    /// <summary>Trains to the end (or until cancelled); see <see cref="Trainer{TBatch}.Run"/>.</summary>
    /// <param name="resumeFrom">A checkpoint folder, <c>"latest"</c>, or null.</param>
    /// <param name="cancellationToken">Stops at the next step boundary after saving a checkpoint.</param>
    public TrainingResult Train(string? resumeFrom = null, CancellationToken cancellationToken = default) =>
        Trainer.Run(resumeFrom, cancellationToken);

    /// <summary>The chat renderer of a tokenizer that has a chat template, else null.</summary>
    internal static Func<IReadOnlyList<ChatMessage>, bool, string>? ChatRenderer(ITokenCodec tokenizer) =>
        tokenizer is PretrainedTokenizer { ChatTemplates.Count: > 0 } pretrained
            ? (messages, addGenerationPrompt) => pretrained.ApplyChatTemplate(messages, addGenerationPrompt)
            : null;
}
