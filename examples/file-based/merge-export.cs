#!/usr/bin/env dotnet
// Merge a LoRA adapter into its base model and export a plain Hugging Face model folder (transformers, vLLM and
// llama.cpp's converter read it), then check that the exported model computes what the adapter did.
//   dotnet run merge-export.cs                          stand-in model; trains a small adapter first
//   dotnet run merge-export.cs -- <model> <adapter>     your model and adapter
#:package TorchSharp-cpu
#:project ../../src/Peft/Peft.csproj
#:project ../Common/Peft.Examples.Common.csproj
#:property PublishAot=false

using Peft.Adapters;
using Peft.Examples;
using Peft.Models;
using Peft.Tokenization;
using static TorchSharp.torch;

var (modelFolder, isStandIn) = StandIn.ModelFolder(args);
var adapterFolder = QuickAdapter.AdapterFolder(args, 1, modelFolder, isStandIn);
var tokenizer = PretrainedTokenizer.FromPretrained(modelFolder);
var ids = tokenizer.Encode(tokenizer.ApplyChatTemplate([ChatMessage.User("What color is the sky?")], addGenerationPrompt: true), addSpecialTokens: false);
using var input = tensor(ids.Select(i => (long)i).ToArray()).unsqueeze(0);

// Logits with the adapter applied on the fly.
using var peft = PeftModel.FromPretrained(CausalLM.FromPretrained(modelFolder), adapterFolder);
using var adapted = peft.Forward(input);

// Fold B·A·scale into the base weights and drop the adapter layers: a plain CausalLM again.
using var merged = peft.MergeAndUnload();
using var mergedOutput = merged.Forward(input);
Console.WriteLine($"max |adapter − merged| logit difference: {MaxDifference(adapted.Logits, mergedOutput.Logits):E2}");

// Export: config.json, generation_config.json, model.safetensors, plus the tokenizer files to make the folder complete.
// (On a GPU, export in bfloat16 with merged.SavePretrained(folder, ScalarType.BFloat16) to halve the size.)
var exportFolder = Path.GetFullPath("out/merged");
merged.SavePretrained(exportFolder);
foreach (var file in Directory.GetFiles(modelFolder, "*token*").Concat(Directory.GetFiles(modelFolder, "*.jinja")))
{
    File.Copy(file, Path.Combine(exportFolder, Path.GetFileName(file)), overwrite: true);
}

// Reload the export as any other model and compare.
using var reloaded = CausalLM.FromPretrained(exportFolder);
using var reloadedOutput = reloaded.Forward(input);
Console.WriteLine($"max |adapter − reloaded export| logit difference: {MaxDifference(adapted.Logits, reloadedOutput.Logits):E2}");
Console.WriteLine($"Exported to {exportFolder}:");
foreach (var file in Directory.GetFiles(exportFolder).Order())
{
    Console.WriteLine($"  {Path.GetFileName(file),-28} {new FileInfo(file).Length,12:N0} bytes");
}

static float MaxDifference(Tensor a, Tensor b)
{
    using var scope = NewDisposeScope();
    return (a - b).abs().max().item<float>();
}
