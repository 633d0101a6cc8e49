using FluentAssertions;
using Peft.Cli;
using Xunit;

namespace Peft.Tests.Cli;

/// <summary>Help texts, parse errors and bad values: exit code 2 with a specific message, before anything is loaded.</summary>
public sealed class CliUsageTests : IClassFixture<CliWorkspace>
{
    private readonly CliWorkspace _ws;

    public CliUsageTests(CliWorkspace ws) => _ws = ws;

    [Theory]
    [InlineData(new[] { "--help" }, new[] { "train", "eval", "generate", "merge", "inspect", "--device", "--verbose" })]
    [InlineData(new[] { "train", "sft", "--help" }, new[] { "--model", "--data", "--output", "--config", "--resume", "--lora-r", "--lora-alpha", "--lora-dropout", "--target-modules", "--rslora", "--dora", "--quantize", "--double-quant", "--epochs", "--max-steps", "--batch-size", "--grad-accum", "--lr", "--schedule", "--warmup-steps", "--max-length", "--packing", "--completion-only-loss", "--eval-ratio", "--eval-steps", "--save-steps", "--gradient-checkpointing", "--seed", "--skip-invalid", "--column" })]
    [InlineData(new[] { "train", "dpo", "--help" }, new[] { "--method", "--beta", "--loss", "--precompute-reference", "--max-prompt-length", "--resume", "--config" })]
    [InlineData(new[] { "eval", "--help" }, new[] { "rouge", "perplexity", "generate", "--compare" })]
    [InlineData(new[] { "eval", "rouge", "--help" }, new[] { "--predictions", "--references", "--jsonl", "--stemmer", "--bootstrap", "--output" })]
    [InlineData(new[] { "eval", "perplexity", "--help" }, new[] { "--model", "--adapter", "--data", "--stride", "--max-length", "--output" })]
    [InlineData(new[] { "eval", "generate", "--help" }, new[] { "--model", "--adapter", "--data", "--max-new-tokens", "--perplexity", "--output" })]
    [InlineData(new[] { "generate", "--help" }, new[] { "--prompt", "--chat", "--adapter", "--max-new-tokens", "--temperature", "--top-k", "--top-p", "--repetition-penalty", "--seed", "--stop" })]
    [InlineData(new[] { "merge", "--help" }, new[] { "--model", "--adapter", "--output", "--dtype", "--quantize" })]
    [InlineData(new[] { "inspect", "--help" }, new[] { "folder" })]
    public void HelpMentionsEveryOption(string[] args, string[] expected)
    {
        var result = CliWorkspace.Run(args);

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        result.Output.Should().StartWith("Description:").And.Contain("Usage:\n  peft");
        foreach (var text in expected)
        {
            result.Output.Should().Contain(text);
        }
    }

    [Theory]
    [InlineData(new string[0], "Required command was not provided")]
    [InlineData(new[] { "train" }, "Required command was not provided")]
    [InlineData(new[] { "frobnicate" }, "Unrecognized command or argument 'frobnicate'")]
    [InlineData(new[] { "inspect", "x", "--no-such-option" }, "Unrecognized command or argument '--no-such-option'")]
    [InlineData(new[] { "inspect", "x", "--device", "tpu" }, "--device: Expected a device of the form 'auto', 'cpu', 'cuda' or 'cuda:N'; found 'tpu'.")]
    [InlineData(new[] { "train", "sft", "--quantize", "nf3" }, "Argument 'nf3' not recognized. Must be one of:")]
    [InlineData(new[] { "train", "sft", "--lora-r", "many" }, "Cannot parse argument 'many' for option '--lora-r'")]
    [InlineData(new[] { "generate", "--prompt", "hi" }, "Option '--model' is required.")]
    public void ParseErrorsExitWithTwo(string[] args, string message)
    {
        var result = CliWorkspace.Run(args);

        result.ExitCode.Should().Be(ExitCodes.Usage, result.ToString());
        result.Error.Should().Contain(message).And.Contain("--help' for usage.");
        result.Output.Should().BeEmpty();
    }

    [Fact]
    public void MissingFilesAreNamed()
    {
        var missing = Path.Combine(_ws.Root, "nowhere");

        var model = CliWorkspace.Run("train", "sft", "--model", missing, "--data", _ws.SftData, "--output", _ws.PathOf("o"));
        var data = CliWorkspace.Run("train", "sft", "--model", _ws.Model, "--data", missing, "--output", _ws.PathOf("o"));
        var notModel = CliWorkspace.Run("train", "sft", "--model", _ws.Root, "--data", _ws.SftData, "--output", _ws.PathOf("o"));
        var adapter = CliWorkspace.Run("generate", "--model", _ws.Model, "--adapter", _ws.Model, "--prompt", "hi");
        var rouge = CliWorkspace.Run("eval", "rouge", "--predictions", missing, "--references", _ws.References);
        var noOutput = CliWorkspace.Run("train", "sft", "--model", _ws.Model, "--data", _ws.SftData);

        model.ExitCode.Should().Be(ExitCodes.Usage);
        model.Error.Should().Be($"error: --model: folder not found: '{missing}'.\n");
        data.Error.Should().Be($"error: --data: file not found: '{missing}'.\n");
        notModel.Error.Should().Contain("is not a model folder (no config.json in it)");
        adapter.ExitCode.Should().Be(ExitCodes.Usage);
        adapter.Error.Should().Contain("--adapter:").And.Contain("is not an adapter folder");
        rouge.ExitCode.Should().Be(ExitCodes.Usage);
        rouge.Error.Should().Contain("--predictions: file not found");
        noOutput.Error.Should().Contain("--output is required (on the command line or as \"output\" in --config)");
    }

    [Theory]
    [InlineData("--lora-r", "0", "'r'")]
    [InlineData("--lora-dropout", "1.5", "lora_dropout")]
    [InlineData("--batch-size", "0", "BatchSize must be at least 1; found 0.")]
    [InlineData("--lr", "-1", "LearningRate must be positive")]
    [InlineData("--eval-ratio", "1", "--eval-ratio must be in [0, 1); found 1.")]
    [InlineData("--column", "prompt", "--column: expected key=field (e.g. prompt=question); found 'prompt'.")]
    [InlineData("--column", "answer=x", "--column: unknown key 'answer'")]
    public void InvalidTrainingValuesExitWithTwo(string option, string value, string message)
    {
        var result = CliWorkspace.Run("train", "sft", "--model", _ws.Model, "--data", _ws.SftData, "--output", _ws.PathOf("o"), option, value);

        result.ExitCode.Should().Be(ExitCodes.Usage, result.ToString());
        result.Error.Should().StartWith("error: ").And.Contain(message);
        result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(1, "one line, no stack trace without --verbose");
    }

    [Fact]
    public void InvalidValuesOfOtherCommandsExitWithTwo()
    {
        CliWorkspace.Run("generate", "--model", _ws.Model, "--prompt", "hi", "--top-p", "2").Error.Should().Contain("TopP must be in (0, 1]; found 2.");
        CliWorkspace.Run("generate", "--model", _ws.Model).Error.Should().Contain("give exactly one of --prompt \"text\" and --chat.");
        CliWorkspace.Run("eval", "perplexity", "--model", _ws.Model, "--data", _ws.TextData, "--stride", "0").Error.Should().Contain("Stride must be between 1");
        CliWorkspace.Run("eval", "rouge", "--predictions", _ws.Predictions).Error.Should().Contain("give --predictions and --references");
        CliWorkspace.Run("eval", "rouge", "--jsonl", _ws.EvalData, "--rouge-types", "rougeX").ExitCode.Should().Be(ExitCodes.Usage);
        CliWorkspace.Run("eval").Error.Should().Contain("choose a mode");
        CliWorkspace.Run("inspect", _ws.Root).Error.Should().Contain("holds neither config.json (a model) nor adapter_config.json (an adapter)");
    }

    [Fact]
    public void ConfigFileErrorsNameTheField()
    {
        var unknown = _ws.File("unknown.json", """{"lora_r": 8, "learning_rate": 0.1, "epochz": 2}""");
        var wrongType = _ws.File("wrong.json", """{"lora_r": "eight"}""");
        var badChoice = _ws.File("choice.json", """{"quantize": "nf3"}""");
        var notJson = _ws.File("broken.json", """{"lora_r": """);
        string[] Args(string config) => ["train", "sft", "--model", _ws.Model, "--data", _ws.SftData, "--output", _ws.PathOf("o"), "--config", config];

        var a = CliWorkspace.Run(Args(unknown));
        var b = CliWorkspace.Run(Args(wrongType));
        var c = CliWorkspace.Run(Args(badChoice));
        var d = CliWorkspace.Run(Args(notJson));

        a.ExitCode.Should().Be(ExitCodes.Usage);
        a.Error.Should().Contain("unknown fields 'learning_rate', 'epochz'").And.Contain("lora_r").And.Contain("max_steps");
        b.Error.Should().Contain("field 'lora_r': expected an integer; found string \"eight\".");
        c.Error.Should().Contain("--quantize: expected one of none, nf4, fp4, int8; found 'nf3'.");
        d.ExitCode.Should().Be(ExitCodes.Usage);
        d.Error.Should().Contain("not valid JSON");
    }
}
