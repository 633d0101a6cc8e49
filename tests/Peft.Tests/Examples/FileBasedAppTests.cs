using System.Globalization;
using System.Text.RegularExpressions;
using FluentAssertions;
using Peft.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Peft.Tests.Examples;

/// <summary>
/// Runs every example under examples/file-based with <c>dotnet run -c Release --file app.cs</c> in a fresh folder,
/// exactly as the examples' README tells a user to, with no arguments (so each builds the tiny stand-in model), and
/// checks what it prints and writes. Each run builds the app first (about 10–20 s) and then runs it in seconds.
/// </summary>
[Trait("Category", "Long")]
public sealed class FileBasedAppTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ITestOutputHelper _log;

    public FileBasedAppTests(ITestOutputHelper log) => _log = log;

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string> Apps() => new(Directory.GetFiles(Repository.Path("examples", "file-based"), "*.cs").Select(Path.GetFileName).Order()!);

    [Fact]
    public void EveryFileBasedAppHasATest()
    {
        Apps().Cast<object[]>().Select(row => (string)row[0]).Should().BeEquivalentTo("chat.cs", "evaluate.cs", "merge-export.cs", "qlora-dpo.cs", "sft-lora.cs");
    }

    [Theory]
    [MemberData(nameof(Apps))]
    public void RunsWithTheStandInModel(string app)
    {
        var result = Run(app, app == "chat.cs" ? "What sound does a cat make?\n" : null);

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain("TINY RANDOM STAND-IN", "an example says plainly when it is not using a real model");
        File.Exists(_dir.File("out/tiny-llama/model.safetensors")).Should().BeTrue();
        switch (app)
        {
            case "sft-lora.cs":
                result.Output.Should().Contain("Trained 100 steps");
                result.Output.Should().Contain("A: The sky is blue.", "the adapter learned the sample answers");
                AdapterFiles("out/sft-lora");
                break;
            case "qlora-dpo.cs":
                result.Output.Should().Contain("linear 4-bit nf4 + double quant");
                var final = Regex.Match(result.Output, @"chosen reward (-?[\d.]+), rejected reward (-?[\d.]+)");
                final.Success.Should().BeTrue(result.Output);
                Number(final.Groups[1]).Should().BeGreaterThan(Number(final.Groups[2]), "DPO raises the chosen answers above the rejected ones");
                AdapterFiles("out/qlora-dpo");
                break;
            case "evaluate.cs":
                var ppl = Regex.Match(result.Output, @"base ([\d.]+), with adapter ([\d.]+)");
                ppl.Success.Should().BeTrue(result.Output);
                Number(ppl.Groups[2]).Should().BeLessThan(Number(ppl.Groups[1]) / 10, "the adapter was trained on these answers");
                foreach (var file in new[] { "base/report.json", "adapter/report.json", "adapter/report.md", "comparison.md", "comparison.png" })
                {
                    File.Exists(_dir.File("out/evaluate/" + file)).Should().BeTrue(file);
                }

                break;
            case "merge-export.cs":
                var diffs = Regex.Matches(result.Output, @"logit difference: ([\d.E+-]+)");
                diffs.Should().HaveCount(2, result.Output);
                diffs.Select(m => Number(m.Groups[1])).Should().OnlyContain(d => d < 1e-3, "the merged export computes what the adapter did");
                foreach (var file in new[] { "config.json", "generation_config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json" })
                {
                    File.Exists(_dir.File("out/merged/" + file)).Should().BeTrue(file);
                }

                break;
            case "chat.cs":
                result.Output.Should().Contain("> What sound does a cat make?");
                result.Output.Should().Contain("meow", "the streamed reply comes from the fine-tuned stand-in");
                result.Output.Should().Contain("stopped: EndOfSequence");
                break;
            default:
                throw new InvalidOperationException($"No checks for {app}: add them here.");
        }
    }

    private DotnetCli.Result Run(string app, string? input)
    {
        var result = DotnetCli.Run(_dir.Path, ["run", "-c", "Release", "--file", Repository.Path("examples", "file-based", app)], input);
        _log.WriteLine($"dotnet run {app}: {result.Elapsed.TotalSeconds:F1} s (build and run)");
        _log.WriteLine(result.Output);
        return result;
    }

    private void AdapterFiles(string folder)
    {
        File.Exists(_dir.File(folder + "/adapter_config.json")).Should().BeTrue();
        File.Exists(_dir.File(folder + "/adapter_model.safetensors")).Should().BeTrue();
    }

    private static double Number(Group group) => double.Parse(group.Value, NumberStyles.Float, CultureInfo.InvariantCulture);
}
