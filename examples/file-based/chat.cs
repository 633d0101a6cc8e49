#!/usr/bin/env dotnet
// Chat with a model (optionally with a LoRA adapter), streaming the reply token by token.
//   dotnet run chat.cs                             stand-in model; trains a small adapter first so it can answer
//   dotnet run chat.cs -- <model> [adapter]        your model (and adapter)
// Type a message and press Enter; an empty line ends the chat. Lines can also be piped in:
//   echo "What sound does a cat make?" | dotnet run chat.cs
#:package TorchSharp-cpu
#:project ../../src/Peft/Peft.csproj
#:project ../Common/Peft.Examples.Common.csproj
#:property PublishAot=false

using Peft.Adapters;
using Peft.Examples;
using Peft.Generation;
using Peft.Models;
using Peft.Tokenization;

var (modelFolder, isStandIn) = StandIn.ModelFolder(args);
var model = CausalLM.FromPretrained(modelFolder);
var tokenizer = PretrainedTokenizer.FromPretrained(modelFolder);
using var peft = args.Length > 1 || isStandIn
    ? PeftModel.FromPretrained(model, QuickAdapter.AdapterFolder(args, 1, modelFolder, isStandIn))
    : null;
var generator = new TextGenerator(peft?.BaseModel ?? model, tokenizer);
var options = new GenerationOptions { MaxNewTokens = 128, DoSample = true, Temperature = 0.7, TopP = 0.9, Seed = 42 };

// (The stand-in's adapter was trained on conversations without a system message.)
List<ChatMessage> conversation = isStandIn ? [] : [ChatMessage.System("You are a helpful assistant.")];
while (true)
{
    if (!Console.IsInputRedirected)
    {
        Console.Write("> ");
    }

    var line = Console.ReadLine();
    if (string.IsNullOrWhiteSpace(line))
    {
        break;
    }

    if (Console.IsInputRedirected)
    {
        Console.WriteLine($"> {line}");
    }

    // The whole conversation is rendered with the model's chat template, ending with the assistant's header.
    conversation.Add(ChatMessage.User(line));
    var prompt = tokenizer.ApplyChatTemplate(conversation, addGenerationPrompt: true);
    var outcome = new GenerationOutcome();
    await foreach (var piece in generator.StreamAsync(prompt, options, outcome, addSpecialTokens: false))
    {
        Console.Write(piece);
    }

    Console.WriteLine($"   [{outcome.TokenIds.Count} tokens, stopped: {outcome.StopReason}]");
    conversation.Add(ChatMessage.Assistant(outcome.Text));
}
