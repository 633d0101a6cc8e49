using Peft.Data;
using Peft.Evaluation;
using Peft.Tokenization;

namespace Peft.Examples;

/// <summary>A small built-in data set the examples train and evaluate on when no data file is given.</summary>
public static class SampleData
{
    /// <summary>Sixteen questions with one right and one wrong answer each.</summary>
    public static IReadOnlyList<QaPair> Conversations { get; } =
    [
        new("What color is the sky?", "The sky is blue.", "The sky is green."),
        new("What color is grass?", "Grass is green.", "Grass is purple."),
        new("What color is snow?", "Snow is white.", "Snow is black."),
        new("What color is a banana?", "A banana is yellow.", "A banana is blue."),
        new("What sound does a cat make?", "A cat says meow.", "A cat says moo."),
        new("What sound does a dog make?", "A dog says woof.", "A dog says quack."),
        new("What sound does a cow make?", "A cow says moo.", "A cow says meow."),
        new("What sound does a duck make?", "A duck says quack.", "A duck says woof."),
        new("How many legs does a cat have?", "A cat has four legs.", "A cat has six legs."),
        new("How many legs does a bird have?", "A bird has two legs.", "A bird has ten legs."),
        new("How many legs does a spider have?", "A spider has eight legs.", "A spider has two legs."),
        new("How many wheels does a bike have?", "A bike has two wheels.", "A bike has nine wheels."),
        new("What do bees make?", "Bees make honey.", "Bees make bread."),
        new("What do cows give?", "Cows give milk.", "Cows give glass."),
        new("Where do fish live?", "Fish live in water.", "Fish live in trees."),
        new("Where do birds sleep?", "Birds sleep in nests.", "Birds sleep in cars."),
    ];

    /// <summary>The questions and answers as chat examples (the loss is on the assistant's reply).</summary>
    public static IReadOnlyList<SftExample> ChatExamples() =>
        Conversations.Select(c => SftExample.FromMessages([ChatMessage.User(c.Question), ChatMessage.Assistant(c.Answer)])).ToList();

    /// <summary>Preference pairs: the prompt rendered as a chat turn, the right answer chosen, the wrong one rejected.</summary>
    public static IReadOnlyList<PreferenceExample> PreferencePairs() =>
        Conversations.Select(c => new PreferenceExample
        {
            PromptMessages = [ChatMessage.User(c.Question)],
            ChosenMessages = [ChatMessage.Assistant(c.Answer)],
            RejectedMessages = [ChatMessage.Assistant(c.WrongAnswer)],
        }).ToList();

    /// <summary>Prompts (rendered with the tokenizer's chat template) with their reference answers, for ROUGE.</summary>
    public static EvaluationDataset EvaluationSet(PretrainedTokenizer tokenizer) =>
        EvaluationDataset.Create(Conversations.Select(c => new EvaluationExample(
            tokenizer.ApplyChatTemplate([ChatMessage.User(c.Question)], addGenerationPrompt: true), [c.Answer])), "sample questions");
}
