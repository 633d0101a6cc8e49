using System.Text.Json.Nodes;
using FluentAssertions;
using Peft.Adapters;
using Peft.Cli;
using Xunit;

namespace Peft.Tests.Cli;

/// <summary><c>peft train sft|dpo</c> on the tiny model: files written, config precedence, Ctrl+C and resume, data errors.</summary>
public sealed class TrainCommandTests : IClassFixture<CliWorkspace>
{
    private readonly CliWorkspace _ws;

    public TrainCommandTests(CliWorkspace ws) => _ws = ws;

    private string[] Sft(string output, params string[] more) =>
        ["train", "sft", "--model", _ws.Model, "--data", _ws.SftData, "--output", output, "--device", "cpu", "--batch-size", "2", "--logging-steps", "1",
            "--tensorboard", "false", .. more];

    private static JsonNode Summary(string output) => JsonNode.Parse(File.ReadAllText(Path.Combine(output, "training_summary.json")))!;

    [Fact]
    public void SftTrainsAndSavesAPeftAdapter()
    {
        var output = _ws.PathOf("sft");

        var result = CliWorkspace.Run(Sft(output, "--max-steps", "3", "--lora-r", "4", "--lora-alpha", "8", "--target-modules", "q_proj", "v_proj", "--eval-ratio", "0.25"));

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        result.Output.Should().Contain("step 1/3").And.Contain("step 3/3").And.Contain("eval  step 3/3 · eval_loss").And.Contain("adapter    saved to");
        var config = LoraConfig.Load(output);
        config.R.Should().Be(4);
        config.LoraAlpha.Should().Be(8);
        config.TargetModules.Should().BeEquivalentTo("q_proj", "v_proj");
        config.BaseModelNameOrPath.Should().Be(Path.GetFullPath(_ws.Model));
        File.Exists(Path.Combine(output, PeftModel.WeightsFileName)).Should().BeTrue();
        Summary(output)["steps"]!.GetValue<long>().Should().Be(3);
        Summary(output)["data"]!["eval_examples"]!.GetValue<int>().Should().Be(2, "a quarter of 8 examples is held out");
        File.ReadAllLines(Path.Combine(output, "metrics.jsonl")).Should().HaveCount(4, "3 train steps and one evaluation");
    }

    [Fact]
    public void ConfigFileSuppliesOptionsAndFlagsOverrideIt()
    {
        var output = _ws.PathOf("configured");
        var config = _ws.File("train.json", $$"""
            {
              "model": "{{_ws.Model}}", "data": "{{_ws.SftData}}", "output": "{{output}}",
              "max_steps": 5, "lora_r": 2, "target_modules": ["q_proj"], "dora": true, "rslora": true, "schedule": "cosine",
              "device": "cpu", "tensorboard": false, "logging_steps": 5, "batch_size": 4
            }
            """);

        var result = CliWorkspace.Run("train", "sft", "--config", config, "--max-steps", "2", "--logging-steps", "1");

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        Summary(output)["steps"]!.GetValue<long>().Should().Be(2, "--max-steps on the command line overrides max_steps in the file");
        var options = Summary(output)["options"]!;
        options["schedule"]!.GetValue<string>().Should().Be("Cosine");
        options["batch_size"]!.GetValue<int>().Should().Be(4);
        options["logging_steps"]!.GetValue<int>().Should().Be(1);
        var lora = LoraConfig.Load(output);
        (lora.R, lora.UseDora, lora.UseRslora).Should().Be((2, true, true));
        lora.TargetModules.Should().Equal("q_proj");
    }

    [Fact]
    public void CtrlCSavesACheckpointAndPrintsHowToResume()
    {
        var output = _ws.PathOf("interrupted");
        using var cancel = new CancellationTokenSource();
        cancel.Cancel(); // Ctrl+C before the first step

        var interrupted = CliWorkspace.RunWith(null, cancel.Token, Sft(output, "--max-steps", "2", "--lora-r", "2"));

        interrupted.ExitCode.Should().Be(ExitCodes.Interrupted, interrupted.ToString());
        Directory.Exists(Path.Combine(output, "checkpoint-0")).Should().BeTrue();
        interrupted.Output.Should().Contain("Interrupted after step 0; checkpoint saved to");
        var resumeLine = interrupted.Output.Split('\n').Single(l => l.StartsWith("Resume with: ", StringComparison.Ordinal));
        resumeLine.Should().EndWith("--lora-r 2 --resume latest");

        var resumed = CliWorkspace.Run(resumeLine["Resume with: peft ".Length..].Split(' '));

        resumed.ExitCode.Should().Be(ExitCodes.Success, resumed.ToString());
        resumed.Output.Should().Contain("(resuming from latest)").And.Contain("step 2/2");
        Summary(output)["steps"]!.GetValue<long>().Should().Be(2);
    }

    [Theory]
    [InlineData("train sft -m model --resume out/checkpoint-5 --lr 1e-3", "peft train sft -m model --lr 1e-3 --resume latest")]
    [InlineData("train sft -m model --lr 1e-3 --resume", "peft train sft -m model --lr 1e-3 --resume latest")]
    [InlineData("train dpo --data 'my data.jsonl'", "peft train dpo --data 'my data.jsonl' --resume latest")]
    public void ResumeCommandReplacesAnyResume(string args, string expected)
    {
        var words = args.Contains('\'', StringComparison.Ordinal) ? ["train", "dpo", "--data", "my data.jsonl"] : args.Split(' ');

        Peft.Cli.Commands.Train.TrainingRun.ResumeCommand(PeftCli.CreateRootCommand().Parse(words)).Should().Be(expected);
    }

    [Fact]
    public void ResumeWithoutAValueMeansLatest()
    {
        var output = _ws.PathOf("resume");
        CliWorkspace.Run(Sft(output, "--max-steps", "2", "--save-steps", "1", "--lora-r", "2")).ExitCode.Should().Be(ExitCodes.Success);

        var result = CliWorkspace.Run(Sft(output, "--max-steps", "3", "--lora-r", "2", "--resume"));

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        result.Output.Should().NotContain("step 1/3").And.NotContain("step 2/3").And.Contain("step 3/3");
    }

    [Fact]
    public void QLoraOnAnNf4BaseTrains()
    {
        var output = _ws.PathOf("qlora");

        var result = CliWorkspace.Run(Sft(output, "--max-steps", "2", "--quantize", "nf4", "--double-quant", "--lora-r", "2"));

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        result.Output.Should().Contain("nf4 + double quant");
        File.Exists(Path.Combine(output, PeftModel.WeightsFileName)).Should().BeTrue();
    }

    [Fact]
    public void DpoAndOrpoTrain()
    {
        var dpo = _ws.PathOf("dpo");
        var orpo = _ws.PathOf("orpo");
        string[] Args(string output, params string[] more) =>
            ["train", "dpo", "--model", _ws.Model, "--data", _ws.PreferenceData, "--output", output, "--max-steps", "2", "--batch-size", "2",
                "--logging-steps", "1", "--lora-r", "2", "--tensorboard", "false", .. more];

        var a = CliWorkspace.Run(Args(dpo, "--beta", "0.2", "--loss", "ipo", "--precompute-reference"));
        var b = CliWorkspace.Run(Args(orpo, "--method", "orpo"));

        a.ExitCode.Should().Be(ExitCodes.Success, a.ToString());
        b.ExitCode.Should().Be(ExitCodes.Success, b.ToString());
        File.ReadAllText(Path.Combine(dpo, "metrics.jsonl")).Should().Contain("rewards/accuracies");
        File.Exists(Path.Combine(orpo, PeftModel.WeightsFileName)).Should().BeTrue();
        CliWorkspace.Run(Args(_ws.PathOf("x"), "--method", "orpo", "--precompute-reference")).Error
            .Should().Contain("--precompute-reference applies to --method dpo only");
    }

    [Fact]
    public void MalformedDataFailsWithFileAndLineUnlessSkipped()
    {
        var data = _ws.File("bad.jsonl", "{\"prompt\": \"say: \", \"completion\": \"the cat sat\"}\n{\"prompt\": 3}\n{\"prompt\": \"say: \", \"completion\": \"a dog ran\"}\n");
        string[] Args(params string[] more) =>
            ["train", "sft", "--model", _ws.Model, "--data", data, "--output", _ws.PathOf("bad"), "--max-steps", "1", "--lora-r", "2", "--tensorboard", "false", .. more];

        var failed = CliWorkspace.Run(Args());
        var skipped = CliWorkspace.Run(Args("--skip-invalid"));

        failed.ExitCode.Should().Be(ExitCodes.Failure, failed.ToString());
        failed.Error.Should().StartWith($"error: {data}:2: ").And.EndWith("\n");
        failed.Error.Trim().Split('\n').Should().HaveCount(1);
        skipped.ExitCode.Should().Be(ExitCodes.Success, skipped.ToString());
        skipped.Error.Should().Contain($"warning: {data}:2: skipped:");
        skipped.Output.Should().Contain("1 malformed skipped");
    }

    [Fact]
    public void VerbosePrintsTheFullException()
    {
        var data = _ws.File("empty.jsonl", "\n");

        var result = CliWorkspace.Run("train", "sft", "--model", _ws.Model, "--data", data, "--output", _ws.PathOf("e"), "--verbose");

        result.ExitCode.Should().Be(ExitCodes.Failure);
        result.Error.Should().StartWith("error: ").And.Contain("Peft.Data.DataFormatException").And.Contain("   at ");
    }
}
