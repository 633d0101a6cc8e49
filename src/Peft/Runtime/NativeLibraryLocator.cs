using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;

namespace Peft.Runtime;

/// <summary>
/// Finds TorchSharp's native library (<c>libLibTorchSharp.so</c>) and the LibTorch backend folder
/// (<c>libtorch.so</c>) in the places the .NET host and TorchSharp themselves use: the app's native search
/// directories, the app folder, the folder of TorchSharp.dll, and NuGet's package layout (scripting hosts and
/// notebooks load TorchSharp.dll straight from the package cache).
/// </summary>
internal static class NativeLibraryLocator
{
    internal const string LibTorchSharpFile = "libLibTorchSharp.so";
    internal const string BackendMarkerFile = "libtorch.so";

    /// <summary>The runtime identifier of the native assets, e.g. <c>linux-x64</c>.</summary>
    internal static string Rid => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.Arm64 => "linux-arm64",
        _ => "linux-x64",
    };

    /// <summary>Folders to search, most specific first, without duplicates.</summary>
    internal static IReadOnlyList<string> CandidateFolders(Assembly torchSharp)
    {
        var folders = new List<string>();
        void Add(string? dir)
        {
            if (string.IsNullOrWhiteSpace(dir))
            {
                return;
            }

            var full = Path.GetFullPath(dir);
            if (!folders.Contains(full, StringComparer.Ordinal))
            {
                folders.Add(full);
            }
        }

        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string searchDirs)
        {
            foreach (var dir in searchDirs.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                Add(dir);
            }
        }

        var baseDir = AppContext.BaseDirectory;
        Add(baseDir);
        Add(Path.Combine(baseDir, "runtimes", Rid, "native"));

        var torchDir = string.IsNullOrEmpty(torchSharp.Location) ? null : Path.GetDirectoryName(torchSharp.Location);
        if (torchDir is not null)
        {
            Add(torchDir);
            Add(Path.Combine(torchDir, "runtimes", Rid, "native"));
            Add(Path.Combine(torchDir, "cpu"));
            foreach (var packageNative in NuGetLayoutFolders(torchDir))
            {
                Add(packageNative);
            }
        }

        return folders;
    }

    /// <summary>The first folder holding <paramref name="fileName"/>, or null.</summary>
    internal static string? FindFile(IEnumerable<string> folders, string fileName) =>
        folders.Select(f => Path.Combine(f, fileName)).FirstOrDefault(File.Exists);

    /// <summary>
    /// When TorchSharp.dll sits in NuGet's layout (<c>&lt;packages&gt;/torchsharp/&lt;version&gt;/lib/&lt;tfm&gt;/</c>),
    /// the native folders of the torchsharp package and of the restored libtorch-cpu backend package.
    /// </summary>
    private static IEnumerable<string> NuGetLayoutFolders(string torchDir)
    {
        var versionDir = Path.GetFullPath(Path.Combine(torchDir, "..", ".."));
        var packageDir = Path.GetDirectoryName(versionDir);
        var packagesRoot = packageDir is null ? null : Path.GetDirectoryName(packageDir);
        if (packageDir is null || packagesRoot is null
            || !string.Equals(Path.GetFileName(packageDir), "torchsharp", StringComparison.OrdinalIgnoreCase))
        {
            yield break;
        }

        yield return Path.Combine(versionDir, "runtimes", Rid, "native");
        var backendPackage = Path.Combine(packagesRoot, $"libtorch-cpu-{Rid}");
        if (!Directory.Exists(backendPackage))
        {
            yield break;
        }

        // Prefer the LibTorch version that the TorchSharp-cpu package of the same TorchSharp version names.
        var preferred = PreferredLibTorchVersion(packagesRoot, Path.GetFileName(versionDir));
        var versions = Directory.GetDirectories(backendPackage)
            .OrderByDescending(d => string.Equals(Path.GetFileName(d), preferred, StringComparison.OrdinalIgnoreCase))
            .ThenByDescending(d => Version.TryParse(Path.GetFileName(d), out var v) ? v : new Version(0, 0));
        foreach (var version in versions)
        {
            yield return Path.Combine(version, "runtimes", Rid, "native");
        }
    }

    private static string? PreferredLibTorchVersion(string packagesRoot, string torchSharpVersion)
    {
        var nuspec = Path.Combine(packagesRoot, "torchsharp-cpu", torchSharpVersion, "torchsharp-cpu.nuspec");
        if (!File.Exists(nuspec))
        {
            return null;
        }

        var text = File.ReadAllText(nuspec);
        var match = System.Text.RegularExpressions.Regex.Match(text, "id=\"libtorch-cpu\"\\s+version=\"\\[?([0-9.]+)");
        return match.Success ? match.Groups[1].Value : null;
    }

    /// <summary>A short description of what was searched, for error messages.</summary>
    internal static string Describe(IEnumerable<string> folders) =>
        string.Join(Environment.NewLine, folders.Select(f => "  - " + f + (Directory.Exists(f) ? string.Empty : " (absent)")));

    /// <summary>The TorchSharp assembly, without running its static constructor.</summary>
    internal static Assembly TorchSharpAssembly => typeof(torch).Assembly;
}
