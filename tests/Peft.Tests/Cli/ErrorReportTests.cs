using FluentAssertions;
using Peft.Checkpoints;
using Peft.Cli;
using Peft.Cli.Infrastructure;
using Peft.Data;
using Peft.Models;
using Peft.Runtime;
using Peft.Training;
using Xunit;

namespace Peft.Tests.Cli;

/// <summary>Every library error becomes an exit code and one clear line.</summary>
public sealed class ErrorReportTests
{
    public static TheoryData<Exception, int, string> Cases => new()
    {
        { new TrainingDivergedException(3, 0, 2, "loss = NaN"), ExitCodes.Failure, "Training diverged at step 3 (epoch 0, batch 2): loss = NaN." },
        { new DataFormatException("train.jsonl", 7, "expected a string \"prompt\"; found a number"), ExitCodes.Failure, "train.jsonl:7: expected a string \"prompt\"; found a number" },
        { new ModelConfigException("config.json", "hidden_size", "required field is missing."), ExitCodes.Failure, "config.json" },
        { new CheckpointMismatchException("m", ["a.weight"], ["b.weight"], []), ExitCodes.Failure, "a.weight" },
        { new SafetensorsFormatException("model.safetensors", null, "header length 9 exceeds the file size 3"), ExitCodes.Failure, "model.safetensors" },
        { new DeviceUnavailableException("CUDA device 0 was requested in code, but TorchSharp reports no available CUDA device."), ExitCodes.Failure, "CUDA device 0" },
        { new TorchNativeLoadException(NativeLoadFailure.MissingBackend, "No libtorch.so next to TorchSharp."), ExitCodes.Failure, "No libtorch.so" },
        { new FileNotFoundException("No config.json found at '/x'."), ExitCodes.Usage, "No config.json found at '/x'." },
        { new DirectoryNotFoundException("Checkpoint folder not found: '/y'."), ExitCodes.Usage, "Checkpoint folder not found" },
        { new OperationCanceledException(), ExitCodes.Interrupted, "cancelled." },
        { new AggregateException(new InvalidDataException("bad\nreport")), ExitCodes.Failure, "bad report" },
        { new NullReferenceException("boom"), ExitCodes.Failure, "internal error (NullReferenceException): boom" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ExceptionsMapToACodeAndOneLine(Exception exception, int code, string text)
    {
        var (exit, line) = ErrorReport.Classify(exception);

        exit.Should().Be(code);
        line.Should().Contain(text).And.NotContain("\n");
    }

    [Fact]
    public void LongMessagesAreShortenedUnlessVerbose()
    {
        var missing = Enumerable.Range(0, 500).Select(i => $"model.layers.{i}.mlp.up_proj.weight").ToArray();
        var exception = new CheckpointMismatchException("model", missing, [], []);
        using var brief = new StringWriter();
        using var verbose = new StringWriter();

        ErrorReport.Write(exception, brief, verbose: false).Should().Be(ExitCodes.Failure);
        ErrorReport.Write(exception, verbose, verbose: true);

        brief.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(2);
        brief.ToString().Should().Contain("…").And.Contain("run with --verbose for the full text");
        verbose.ToString().Should().Contain("Peft.Models.CheckpointMismatchException: ").And.Contain(exception.Message);
    }
}
