#!/usr/bin/env dotnet
// Evaluation: perplexity and ROUGE of a model with and without its LoRA adapter, saved as reports and compared.
//   dotnet run evaluate.cs                                      stand-in model; trains a small adapter first
//   dotnet run evaluate.cs -- <model> <adapter> [test.jsonl]    your model, adapter and data
//                                                               ({"prompt", "reference"} or {"prompt", "references"})
#:package TorchSharp-cpu
#:project ../../src/Peft/Peft.csproj
#:project ../Common/Peft.Examples.Common.csproj
#:property PublishAot=false

using Peft.Adapters;
using Peft.Evaluation;
using Peft.Evaluation.Rouge;
using Peft.Examples;
using Peft.Generation;
using Peft.Models;
using Peft.Tokenization;

var (modelFolder, isStandIn) = StandIn.ModelFolder(args);
var adapterFolder = QuickAdapter.AdapterFolder(args, 1, modelFolder, isStandIn);
var tokenizer = PretrainedTokenizer.FromPretrained(modelFolder);
var dataset = args.Length > 2 ? EvaluationDataset.Load(args[2]) : SampleData.EvaluationSet(tokenizer);
using var peft = PeftModel.FromPretrained(CausalLM.FromPretrained(modelFolder), adapterFolder);

// Perplexity of the reference answers given their prompts (lower is better).
var prompts = dataset.Examples.Select(e => e.Prompt).ToList();
var references = dataset.Examples.Select(e => e.References[0]).ToList();
var pplOptions = new PerplexityOptions { AddSpecialTokens = false };
PerplexityResult basePpl;
using (peft.DisableAdapters())
{
    basePpl = Perplexity.ComputeConditional(peft.BaseModel, tokenizer, prompts, references, pplOptions);
}

var tunedPpl = Perplexity.ComputeConditional(peft.BaseModel, tokenizer, prompts, references, pplOptions);
Console.WriteLine($"Perplexity of the references: base {basePpl.Perplexity:F2}, with adapter {tunedPpl.Perplexity:F2} ({tunedPpl.TokenCount} tokens)");

// Generate an answer to every prompt and score it with ROUGE (as Google's rouge_score computes it).
var options = new EvaluationOptions
{
    Generation = new GenerationOptions { MaxNewTokens = 32 },
    AddSpecialTokens = false, // the prompts were rendered by the chat template
    ComputePerplexity = true,
    ModelName = isStandIn ? "tiny stand-in" : Path.GetFileName(Path.GetFullPath(modelFolder)),
};
EvaluationReport baseReport;
using (peft.DisableAdapters())
{
    baseReport = Evaluator.Create(peft.BaseModel, tokenizer, options).Evaluate(dataset);
}

var tunedReport = Evaluator.Create(peft.BaseModel, tokenizer, options with { AdapterName = adapterFolder }).Evaluate(dataset);
baseReport.Save("out/evaluate/base");      // report.json + report.md
tunedReport.Save("out/evaluate/adapter");

// Side by side: a Markdown table of the deltas and a PNG chart.
var comparison = ReportComparison.Create(baseReport, tunedReport, "base", "with adapter");
comparison.Save("out/evaluate");           // comparison.md + comparison.png
Console.WriteLine(comparison.ToMarkdown());

// RougeScorer on its own, for predictions you already have.
var scores = RougeScorer.Create().Score(prediction: tunedReport.Rows[0].Prediction, reference: references[0]);
Console.WriteLine($"First answer: \"{tunedReport.Rows[0].Prediction}\" rougeL F1 = {scores["rougeL"].FMeasure:F3}");
Console.WriteLine($"Reports written to {Path.GetFullPath("out/evaluate")}");
