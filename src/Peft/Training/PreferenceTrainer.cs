using Peft.Data;
using Peft.Tokenization;

namespace Peft.Training;

/// <summary>
/// Preference fine-tuning in one call, like TRL's <c>DPOTrainer</c>/<c>ORPOTrainer</c>: tokenizes the pairs,
/// optionally precomputes the reference log-probabilities, and runs the shared loop with the DPO or ORPO objective.
/// </summary>
public sealed class PreferenceTrainer
{
    private PreferenceTrainer(Trainer<PreferenceBatch> trainer, PreferenceTrainingData data)
    {
        Trainer = trainer;
        Data = data;
    }

    /// <summary>The underlying loop.</summary>
    public Trainer<PreferenceBatch> Trainer { get; }

    /// <summary>The tokenized, batched pairs.</summary>
    public PreferenceTrainingData Data { get; }

    /// <summary>Prepares a run.</summary>
    /// <param name="model">The adapter to train; DPO's reference is the same model with its adapters disabled.</param>
    /// <param name="tokenizer">The tokenizer (a <see cref="PretrainedTokenizer"/> also renders conversational pairs).</param>
    /// <param name="train">Training pairs.</param>
    /// <param name="options">Method, β, lengths, loop settings.</param>
    /// <param name="eval">Evaluation pairs; null to hold out <see cref="PreferenceTrainerOptions.EvalRatio"/>.</param>
    /// <param name="renderChat">Renders conversations; null uses the tokenizer's chat template.</param>
    public static PreferenceTrainer Create(AdapterTraining model, ITokenCodec tokenizer, IReadOnlyList<PreferenceExample> train,
        PreferenceTrainerOptions options, IReadOnlyList<PreferenceExample>? eval = null, Func<IReadOnlyList<ChatMessage>, bool, string>? renderChat = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        renderChat ??= SftTrainer.ChatRenderer(tokenizer);
        if (eval is null && options.EvalRatio > 0)
        {
            (train, eval) = DatasetSplit.Split(train, options.EvalRatio, unchecked((int)options.Training.Seed));
        }

        var collator = new PreferenceCollator(tokenizer, options.Collator, renderChat);
        var data = new PreferenceTrainingData(collator, train.Select(collator.Tokenize).ToList(),
            (eval ?? Array.Empty<PreferenceExample>()).Select(collator.Tokenize).ToList(), options.Training.BatchSize, options.Training.Seed);
        ITrainingObjective<PreferenceBatch> objective;
        if (options.Method == PreferenceMethod.Orpo)
        {
            objective = new OrpoObjective(model.Model, options.Dpo.Beta);
        }
        else
        {
            var dpo = new DpoObjective(model.Model, options.Dpo, model.ReferenceScope);
            if (options.PrecomputeReference)
            {
                model.SetTraining(false);
                data.SetReference(dpo.ReferenceScores);
            }

            objective = dpo;
        }

        return new PreferenceTrainer(new Trainer<PreferenceBatch>(model, objective, data, options.Training), data);
    }

    /// <summary>Trains to the end (or until cancelled).</summary>
    /// <param name="resumeFrom">A checkpoint folder, <c>"latest"</c>, or null.</param>
    /// <param name="cancellationToken">Stops at the next step boundary after saving a checkpoint.</param>
    public TrainingResult Train(string? resumeFrom = null, CancellationToken cancellationToken = default) =>
        Trainer.Run(resumeFrom, cancellationToken);
}
