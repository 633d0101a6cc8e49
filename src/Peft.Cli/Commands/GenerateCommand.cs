using System.CommandLine;
using Peft.Cli.Infrastructure;
using Peft.Generation;
using Peft.Tokenization;

namespace Peft.Cli.Commands;

/// <summary><c>peft generate</c>: one prompt, or an interactive chat with the tokenizer's chat template; text streams as it is generated.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var model = new ModelOptionSet();
        var generation = new GenerationOptionSet(defaultMaxNewTokens: 128);
        var prompt = new Option<string>("--prompt", "-p") { Description = "Continue this text (with --template: answer it as a chat message).", HelpName = "text" };
        var chat = new Option<bool>("--chat") { Description = "Interactive chat on standard input with the tokenizer's chat template (/reset clears, /exit or an empty line quits)." };
        var template = new Option<bool>("--template") { Description = "With --prompt: wrap the prompt as one user message in the chat template." };
        var system = new Option<string>("--system") { Description = "A system message for --chat and --template.", HelpName = "text" };
        var command = new Command("generate", "Generate text from a model (with an optional adapter): one --prompt, or an interactive --chat.")
        {
            prompt, chat, template, system,
        };
        foreach (var option in model.All.Concat(generation.All))
        {
            command.Options.Add(option);
        }

        CommandActions.SetAsync(command, async context =>
        {
            var text = context.Get(prompt);
            var interactive = context.Get(chat);
            if (interactive == (text is not null))
            {
                throw new UsageException("give exactly one of --prompt \"text\" and --chat.");
            }

            using var loaded = model.Load(context);
            var options = generation.Build(context, GenerationOptions.FromGenerationConfig(loaded.Model.GenerationConfig));
            var generator = new TextGenerator(loaded.Model, loaded.Tokenizer);
            var history = new List<ChatMessage>();
            if (context.Get(system) is { } s)
            {
                history.Add(ChatMessage.System(s));
            }

            if ((interactive || context.Get(template)) && loaded.Tokenizer.ChatTemplates.Count == 0)
            {
                throw new UsageException($"the tokenizer in '{Path.GetFullPath(context.Get(model.Tokenizer) ?? loaded.Folder)}' has no chat template; use --prompt without --template.");
            }

            if (!interactive)
            {
                if (context.Get(template))
                {
                    history.Add(ChatMessage.User(text!));
                    await Stream(context, generator, loaded.Tokenizer.ApplyChatTemplate(history, addGenerationPrompt: true), options, addSpecialTokens: false);
                }
                else
                {
                    await Stream(context, generator, text!, options, addSpecialTokens: true);
                }

                return ExitCodes.Success;
            }

            context.Info("Chat: type a message and press Enter; /reset clears the conversation, /exit or an empty line quits.");
            while (!context.Cancellation.IsCancellationRequested)
            {
                context.Output.Write("> ");
                context.Output.Flush();
                var line = context.Input.ReadLine();
                if (line is null || line.Trim().Length == 0 || line.Trim() == "/exit")
                {
                    break;
                }

                if (line.Trim() == "/reset")
                {
                    history.RemoveAll(m => m.Role != "system");
                    context.Info("(conversation cleared)");
                    continue;
                }

                history.Add(ChatMessage.User(line));
                var reply = await Stream(context, generator, loaded.Tokenizer.ApplyChatTemplate(history, addGenerationPrompt: true), options, addSpecialTokens: false);
                history.Add(ChatMessage.Assistant(reply.Text));
            }

            return context.Cancellation.IsCancellationRequested ? ExitCodes.Interrupted : ExitCodes.Success;
        });
        return command;
    }

    private static async Task<GenerationOutcome> Stream(CliContext context, TextGenerator generator, string prompt, GenerationOptions options, bool addSpecialTokens)
    {
        var outcome = new GenerationOutcome();
        await foreach (var piece in generator.StreamAsync(prompt, options, outcome, addSpecialTokens, context.Cancellation))
        {
            context.Output.Write(piece);
            context.Output.Flush();
        }

        context.Output.WriteLine();
        if (context.Verbose)
        {
            context.Error.WriteLine($"info: {outcome.TokenIds.Count} tokens, stopped: {outcome.StopReason}");
        }

        return outcome;
    }
}
