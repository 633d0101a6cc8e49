using System.Security.Cryptography;
using Peft.IO;

namespace Peft.Runtime;

/// <summary>
/// Prepares, once per user and per source file, a copy of TorchSharp's native library whose requirements on
/// the C++ runtime's newest symbol versions are marked weak. Only versions whose every required symbol is a
/// known link-time anchor (never called at run time) are weakened; anything else is refused.
/// </summary>
/// <remarks>
/// The copy lives in <c>&lt;cache&gt;/torchsharp-native/&lt;sha256 of the source&gt;/</c> and is written to a
/// temporary file first and renamed into place, so concurrent processes and interrupted writes never leave a
/// half-written library behind.
/// </remarks>
internal static class CompatibleLibraryCache
{
    /// <summary>
    /// Symbols that GCC 13's libstdc++ headers reference only to anchor the iostream initialisation object at
    /// link time (<c>std::ios_base_library_init()</c>); no code calls them, so their absence is harmless.
    /// </summary>
    internal static readonly IReadOnlySet<string> LinkTimeAnchors = new HashSet<string>(StringComparer.Ordinal)
    {
        "_ZSt21ios_base_library_initv",
    };

    /// <summary>Root of Peft's per-user cache: <c>PEFT_CACHE_DIR</c>, else <c>$XDG_CACHE_HOME/peft</c>, else <c>~/.cache/peft</c>.</summary>
    internal static string CacheRoot()
    {
        var explicitDir = Environment.GetEnvironmentVariable(TorchRuntime.CacheDirectoryVariable);
        if (!string.IsNullOrWhiteSpace(explicitDir))
        {
            return explicitDir;
        }

        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (!string.IsNullOrWhiteSpace(xdg))
        {
            return Path.Combine(xdg, "peft");
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return string.IsNullOrEmpty(home)
            ? Path.Combine(Path.GetTempPath(), $"peft-{Environment.UserName}")
            : Path.Combine(home, ".cache", "peft");
    }

    /// <summary>The versions of <paramref name="image"/> that can be weakened safely, and those that cannot.</summary>
    internal static (List<ElfVersionNeeds.Requirement> Safe, List<(ElfVersionNeeds.Requirement Requirement, IReadOnlyList<string> Symbols)> Unsafe)
        Classify(ElfVersionNeeds image, IEnumerable<string> versions)
    {
        var wanted = new HashSet<string>(versions, StringComparer.Ordinal);
        var safe = new List<ElfVersionNeeds.Requirement>();
        var unsafeOnes = new List<(ElfVersionNeeds.Requirement, IReadOnlyList<string>)>();
        foreach (var req in image.Requirements.Where(r => wanted.Contains(r.Version)))
        {
            var symbols = image.UndefinedSymbolsOf(req.Index);
            if (symbols.Count > 0 && symbols.All(LinkTimeAnchors.Contains))
            {
                safe.Add(req);
            }
            else
            {
                unsafeOnes.Add((req, symbols));
            }
        }

        return (safe, unsafeOnes);
    }

    /// <summary>
    /// The patched copy of <paramref name="sourcePath"/> in which every safely weakenable C++-runtime version is
    /// weak, creating it if needed.
    /// </summary>
    /// <param name="sourcePath">The original native library.</param>
    /// <param name="weakened">The version names that the copy has weak.</param>
    /// <returns>The full path of the copy.</returns>
    internal static string GetOrCreate(string sourcePath, out IReadOnlyList<string> weakened)
    {
        var image = File.ReadAllBytes(sourcePath);
        var hash = Convert.ToHexStringLower(SHA256.HashData(image));
        var elf = ElfVersionNeeds.Parse(image, sourcePath);
        var cxxVersions = elf.Requirements
            .Where(r => r.File.StartsWith("libstdc++", StringComparison.Ordinal) && !r.IsWeak)
            .Select(r => r.Version);
        var (safe, _) = Classify(elf, cxxVersions);
        foreach (var req in safe)
        {
            elf.MarkWeak(req);
        }

        weakened = safe.Select(r => r.Version).ToArray();
        var folder = Path.Combine(CacheRoot(), "torchsharp-native", hash[..32]);
        var target = Path.Combine(folder, Path.GetFileName(sourcePath));
        if (File.Exists(target) && SameContent(target, image))
        {
            return target;
        }

        AtomicFile.WriteAllBytes(target, image, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return target;
    }

    private static bool SameContent(string path, byte[] expected)
    {
        try
        {
            var info = new FileInfo(path);
            return info.Length == expected.Length && File.ReadAllBytes(path).AsSpan().SequenceEqual(expected);
        }
        catch (IOException)
        {
            return false;
        }
    }
}
