#!/usr/bin/env dotnet
// Supervised fine-tuning with LoRA, then a question to the fine-tuned model.
//   dotnet run sft-lora.cs                            tiny stand-in model and built-in data (seconds)
//   dotnet run sft-lora.cs -- <model> [train.jsonl]   a Hugging Face model folder and your data
//                                                     (text, prompt/completion, messages or Alpaca records)
#:package TorchSharp-cpu
#:project ../../src/Peft/Peft.csproj
#:project ../Common/Peft.Examples.Common.csproj
#:property PublishAot=false

using Peft.Adapters;
using Peft.Data;
using Peft.Examples;
using Peft.Generation;
using Peft.Models;
using Peft.Tokenization;
using Peft.Training;

var (modelFolder, isStandIn) = StandIn.ModelFolder(args);
var examples = args.Length > 1 ? SftDataset.Load(args[1]).Examples : SampleData.ChatExamples();
var tokenizer = PretrainedTokenizer.FromPretrained(modelFolder);

// Freeze the model and inject LoRA adapters into every linear projection (attention and MLP).
using var peft = PeftModel.Create(CausalLM.FromPretrained(modelFolder), new LoraConfig
{
    R = 16,
    LoraAlpha = 32,
    LoraDropout = 0.05,
    TargetModulesRegex = LoraConfig.AllLinear,
    ModulesToSave = isStandIn ? ["lm_head"] : null, // the stand-in's output layer is random: train it too
});
Console.WriteLine(peft.TrainableParametersSummary());

// Tokenize (conversations through the chat template, loss on the assistant's replies only) and train.
var trainer = SftTrainer.Create(new AdapterTraining(peft), tokenizer, examples, new SftTrainerOptions
{
    Training = new TrainingOptions
    {
        OutputDirectory = "out/sft-lora",
        MaxSteps = isStandIn ? 100 : 200,
        BatchSize = 8,
        LearningRate = isStandIn ? 1e-2 : 2e-4,
        WarmupSteps = 5,
        LoggingSteps = isStandIn ? 25 : 10,
        TensorBoard = false,
    },
    Collator = new SftCollatorOptions { MaxLength = 512 },
});
trainer.Trainer.ProgressChanged += (_, p) => Console.WriteLine($"step {p.Step,4}/{p.TotalSteps}  loss {p.Loss:F4}  {p.TokensPerSecond:F0} tokens/s");
var result = trainer.Train();
Console.WriteLine($"Trained {result.Steps} steps in {result.WallTime.TotalSeconds:F1} s; adapter saved to {Path.GetFullPath(result.OutputDirectory)}");

// Ask the fine-tuned model a question (greedy decoding; the prompt is rendered with the chat template).
var question = isStandIn ? SampleData.Conversations[0].Question : "What can you help me with?";
var prompt = tokenizer.ApplyChatTemplate([ChatMessage.User(question)], addGenerationPrompt: true);
var reply = new TextGenerator(peft.BaseModel, tokenizer).Generate(prompt, new GenerationOptions { MaxNewTokens = 32 }, addSpecialTokens: false);
Console.WriteLine($"Q: {question}");
Console.WriteLine($"A: {reply.Text}");
