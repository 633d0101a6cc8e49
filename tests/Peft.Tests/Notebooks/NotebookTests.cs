using System.Diagnostics;
using FluentAssertions;
using Peft.Evaluation;
using Peft.Tests.Examples;
using Peft.Tests.Support;
using Peft.Training;
using Xunit;
using Xunit.Abstractions;

namespace Peft.Tests.Notebooks;

/// <summary>Every notebook in examples/notebooks runs, cell by cell, on tiny inputs (PEFT_TINY=1, no PEFT_MODEL).</summary>
public sealed class NotebookTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ITestOutputHelper _log;

    public NotebookTests(ITestOutputHelper log) => _log = log;

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string> Notebooks() =>
        new(Directory.GetFiles(Repository.Path("examples", "notebooks"), "*.ipynb").Select(Path.GetFileName).Order()!);

    [Fact]
    public void ThereAreNotebooks() => Notebooks().Should().NotBeEmpty();

    [Theory]
    [MemberData(nameof(Notebooks))]
    public async Task RunsEveryCellOnTinyInputs(string name)
    {
        var notebook = Notebook.Load(Repository.Path("examples", "notebooks", name));
        notebook.Kernel.Should().Be(".net-csharp");

        var clock = Stopwatch.StartNew();
        var run = await NotebookRunner.RunAsync(notebook, _dir.Path, new Dictionary<string, string> { ["PEFT_TINY"] = "1", ["PEFT_MODEL"] = "" });
        _log.WriteLine($"{name}: {notebook.CodeCells.Count} code cells in {clock.Elapsed.TotalSeconds:F1} s");
        _log.WriteLine(run.Output);

        run.NugetReferences.Should().Contain(["Peft", "TorchSharp-cpu"], "a notebook brings in the package the way a user's would");
        run.Output.Should().Contain("TINY RANDOM STAND-IN");
        if (name == "fine-tune-lora.ipynb")
        {
            var losses = run.Variable<List<double>>("losses");
            losses[^1].Should().BeLessThan(losses[0] / 5, "the LoRA fine-tune learns the sample answers");
            run.Variable<TrainingResult>("result").Steps.Should().Be(100);
            run.Variable<System.Text.StringBuilder>("reply").ToString().Should().Be("A cat says meow.");
            run.Variable<EvaluationReport>("tunedReport").Metrics.Rouge["rougeL"].FMeasure.Should().BeGreaterThan(0.9);
            run.Variable<Peft.Generation.GeneratedSequence>("again").Text.Should().Be("A cat says meow.", "the saved adapter reloads");
            File.Exists(_dir.File("out/notebook/adapter/adapter_model.safetensors")).Should().BeTrue();
            File.Exists(_dir.File("out/notebook/eval/report.json")).Should().BeTrue();
        }
    }

    [Fact]
    public void NugetDirectivesBecomeComments()
    {
        var (code, packages) = NotebookRunner.Translate("#r \"nuget: Peft, 0.1.0\"\n#i \"nuget: ../../nuget\"\nvar x = 1;", 1, "t.ipynb");
        packages.Should().Equal("Peft");
        code.Split('\n').Should().HaveCount(3).And.Subject.Take(2).Should().OnlyContain(l => l.StartsWith("// (runner"));
        FluentActions.Invoking(() => NotebookRunner.Translate("#!pwsh\nGet-Date", 2, "t.ipynb"))
            .Should().Throw<NotSupportedException>().WithMessage("*t.ipynb, code cell 2*#!pwsh*");
    }
}
