using System.Text.Json;

namespace Peft.Tests.Notebooks;

/// <summary>A Polyglot Notebook (.ipynb, kernel <c>.net-csharp</c>) read as its ordered C# code cells.</summary>
internal sealed class Notebook
{
    private Notebook(string path, string kernel, IReadOnlyList<string> cells)
    {
        Path = path;
        Kernel = kernel;
        CodeCells = cells;
    }

    public string Path { get; }

    /// <summary>The kernelspec name (<c>.net-csharp</c> for C#).</summary>
    public string Kernel { get; }

    /// <summary>The source of every code cell, in order.</summary>
    public IReadOnlyList<string> CodeCells { get; }

    /// <summary>Reads a notebook; every code cell must be C# (the runner cannot execute other kernels).</summary>
    /// <exception cref="InvalidDataException">The file is not an nbformat 4 notebook, or a code cell is in another language.</exception>
    public static Notebook Load(string path)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var root = json.RootElement;
        if (!root.TryGetProperty("nbformat", out var format) || format.GetInt32() != 4)
        {
            throw new InvalidDataException($"{path}: expected an nbformat 4 notebook.");
        }

        var kernel = root.GetProperty("metadata").GetProperty("kernelspec").GetProperty("name").GetString() ?? "";
        var cells = new List<string>();
        var index = 0;
        foreach (var cell in root.GetProperty("cells").EnumerateArray())
        {
            index++;
            if (cell.GetProperty("cell_type").GetString() != "code")
            {
                continue;
            }

            var language = Language(cell.GetProperty("metadata"));
            if (language != "csharp")
            {
                throw new InvalidDataException($"{path}: cell {index} is in '{language}'; the notebook runner executes only C# cells.");
            }

            var source = cell.GetProperty("source");
            cells.Add(source.ValueKind == JsonValueKind.Array
                ? string.Concat(source.EnumerateArray().Select(s => s.GetString()))
                : source.GetString() ?? "");
        }

        return new Notebook(path, kernel, cells);
    }

    /// <summary>The cell's kernel as Polyglot Notebooks records it (C# when not stated, the notebook's default).</summary>
    private static string Language(JsonElement metadata)
    {
        if (metadata.TryGetProperty("polyglot_notebook", out var polyglot) && polyglot.TryGetProperty("kernelName", out var name))
        {
            return name.GetString() ?? "csharp";
        }

        if (metadata.TryGetProperty("dotnet_interactive", out var interactive) && interactive.TryGetProperty("language", out var language))
        {
            return language.GetString() ?? "csharp";
        }

        return "csharp";
    }
}
