using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace Peft.Tests.Notebooks;

/// <summary>
/// Executes a notebook's C# cells in order with Roslyn scripting, the way the .NET Interactive C# kernel does: one
/// submission per cell chained through a shared <see cref="ScriptState"/>, so later cells see earlier variables.
/// <c>#r "nuget: …"</c> and <c>#i "nuget: …"</c> lines are replaced by references to the assemblies already built
/// next to the tests (Peft and the packages it depends on); any other magic command is refused. Console output
/// is captured, and the notebook runs in a working folder of the caller's choosing with extra environment variables.
/// </summary>
internal static partial class NotebookRunner
{
    /// <summary>The namespaces the .NET Interactive C# kernel imports by default.</summary>
    private static readonly string[] DefaultImports =
        ["System", "System.Collections", "System.Collections.Generic", "System.Linq", "System.Text", "System.Threading.Tasks"];

    [GeneratedRegex(@"^\s*#(r|i)\s+""nuget:\s*([^""]*)""\s*$")]
    private static partial Regex NugetDirective();

    [GeneratedRegex(@"^\s*#(!|r\s|i\s)")]
    private static partial Regex MagicCommand();

    /// <summary>What a run left behind.</summary>
    public sealed record Run(ScriptState<object> State, string Output, IReadOnlyList<string> NugetReferences)
    {
        public T Variable<T>(string name) => (T)(State.GetVariable(name)?.Value
            ?? throw new KeyNotFoundException($"The notebook defines no variable '{name}'."));
    }

    /// <summary>The cell source with nuget directives commented out, and the packages they named.</summary>
    public static (string Code, IReadOnlyList<string> Packages) Translate(string cell, int index, string notebook)
    {
        var packages = new List<string>();
        var lines = cell.Split('\n').Select(line =>
        {
            var nuget = NugetDirective().Match(line);
            if (nuget.Success)
            {
                if (nuget.Groups[1].Value == "r")
                {
                    packages.Add(nuget.Groups[2].Value.Split(',')[0].Trim());
                }

                return "// (runner: provided by the test build) " + line;
            }

            return MagicCommand().IsMatch(line)
                ? throw new NotSupportedException($"{notebook}, code cell {index}: '{line.Trim()}' is a magic command the runner cannot execute.")
                : line;
        });
        return (string.Join('\n', lines), packages);
    }

    public static async Task<Run> RunAsync(Notebook notebook, string workingDirectory, IReadOnlyDictionary<string, string> environment)
    {
        var peft = typeof(Peft.Models.CausalLM).Assembly;
        var references = new[] { peft }.Concat(peft.GetReferencedAssemblies().Select(Assembly.Load)).Distinct();
        var options = ScriptOptions.Default.WithReferences(references).AddImports(DefaultImports)
            .WithFilePath(notebook.Path).WithEmitDebugInformation(false).WithOptimizationLevel(OptimizationLevel.Release);

        var savedDirectory = Environment.CurrentDirectory;
        var savedOut = Console.Out;
        var savedEnvironment = environment.Keys.ToDictionary(k => k, Environment.GetEnvironmentVariable);
        var savedThreads = TorchSharp.torch.get_num_threads();
        var output = new StringWriter();
        var packages = new List<string>();
        ScriptState<object>? state = null;
        try
        {
            Environment.CurrentDirectory = workingDirectory;
            Console.SetOut(output);
            foreach (var (key, value) in environment)
            {
                Environment.SetEnvironmentVariable(key, value);
            }

            for (var i = 0; i < notebook.CodeCells.Count; i++)
            {
                var (code, cellPackages) = Translate(notebook.CodeCells[i], i + 1, Path.GetFileName(notebook.Path));
                packages.AddRange(cellPackages);
                try
                {
                    state = state is null ? await CSharpScript.RunAsync(code, options) : await state.ContinueWithAsync(code, options);
                }
                catch (CompilationErrorException ex)
                {
                    throw new InvalidOperationException(
                        $"{Path.GetFileName(notebook.Path)}, code cell {i + 1} does not compile:\n{string.Join('\n', ex.Diagnostics)}\n--- output so far ---\n{output}", ex);
                }
                catch (Exception ex)
                {
                    throw new InvalidOperationException($"{Path.GetFileName(notebook.Path)}, code cell {i + 1} threw:\n{ex}\n--- output so far ---\n{output}", ex);
                }
            }
        }
        finally
        {
            Console.SetOut(savedOut);
            Environment.CurrentDirectory = savedDirectory;
            foreach (var (key, value) in savedEnvironment)
            {
                Environment.SetEnvironmentVariable(key, value);
            }

            TorchSharp.torch.set_num_threads(savedThreads);
        }

        return new Run(state ?? throw new InvalidOperationException($"{notebook.Path} has no code cell."), output.ToString(), packages);
    }
}
