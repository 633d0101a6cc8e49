using System.CommandLine;
using Peft.Cli.Infrastructure;

namespace Peft.Cli.Commands.Train;

/// <summary><c>peft train sft|dpo</c>.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var train = new Command("train", "Fine-tune a LoRA/QLoRA/DoRA adapter: supervised (sft) or on preference pairs (dpo, orpo).");
        train.Subcommands.Add(Method("sft", "Supervised fine-tuning on text, prompt/completion, chat (messages) or Alpaca records.", preference: false));
        train.Subcommands.Add(Method("dpo", "Preference fine-tuning (DPO or ORPO) on prompt/chosen/rejected records.", preference: true));
        return train;
    }

    private static Command Method(string name, string description, bool preference)
    {
        var options = new TrainOptionSet(preference);
        var command = new Command(name, description);
        foreach (var option in options.All)
        {
            command.Options.Add(option);
        }

        CommandActions.Set(command, context => TrainingRun.Execute(context, options));
        return command;
    }
}
