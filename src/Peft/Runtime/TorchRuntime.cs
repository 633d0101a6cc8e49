using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Peft.Runtime;

/// <summary>
/// Makes TorchSharp's native runtime load on every supported Linux, including systems whose C++ runtime is
/// older than the one TorchSharp was built with (Debian 12, Ubuntu 22.04: no <c>GLIBCXX_3.4.32</c>).
/// </summary>
/// <remarks>
/// <para>Peft registers a native-library resolver for TorchSharp as soon as the Peft assembly is used. When
/// TorchSharp asks for <c>LibTorchSharp</c>, the resolver loads the LibTorch backend, then the original
/// library; if the loader rejects it only because the C++ runtime lacks a symbol version that no code calls,
/// it loads a compatible copy prepared once in the per-user cache (see <see cref="CacheDirectoryVariable"/>).
/// Nothing outside that cache is written, and no root rights are needed.</para>
/// <para>Call <see cref="EnsureInitialized"/> before using TorchSharp directly if your program touches
/// <c>torch</c> before any Peft API: a failure then surfaces as a <see cref="TorchNativeLoadException"/> that
/// names the real cause instead of TorchSharp's generic message.</para>
/// <para>Environment: <c>PEFT_TORCH_COMPAT</c> = <c>auto</c> (default), <c>force</c> (always use the compatible
/// copy) or <c>off</c> (never patch); <c>PEFT_CACHE_DIR</c> overrides the cache folder.</para>
/// </remarks>
public static class TorchRuntime
{
    /// <summary>Environment variable selecting the compatibility mode: <c>auto</c>, <c>force</c> or <c>off</c>.</summary>
    public const string CompatibilityVariable = "PEFT_TORCH_COMPAT";

    /// <summary>Environment variable overriding Peft's per-user cache folder.</summary>
    public const string CacheDirectoryVariable = "PEFT_CACHE_DIR";

    private const string LibraryName = "LibTorchSharp";
    private static readonly object Gate = new();
    private static bool s_registered;
    private static bool s_attempted;
    private static IntPtr s_handle;
    private static TorchNativeLoadException? s_failure;
    private static readonly StringBuilder s_trace = new();

    /// <summary>The full path of the native library that was loaded, once loading has happened on Linux.</summary>
    public static string? NativeLibraryPath { get; private set; }

    /// <summary>True when the compatible copy from the cache was loaded instead of the original.</summary>
    public static bool UsesCompatibilityCopy { get; private set; }

    /// <summary>What the loader did and why, step by step (for logs and bug reports).</summary>
    public static string Diagnostics
    {
        get
        {
            lock (Gate)
            {
                return s_trace.ToString();
            }
        }
    }

    /// <summary>
    /// Loads TorchSharp's native runtime now (idempotent). On Linux this applies the compatibility fix when
    /// needed; elsewhere TorchSharp's own loader is used unchanged.
    /// </summary>
    /// <param name="logger">Receives one line saying which library was loaded, or nothing when null.</param>
    /// <exception cref="TorchNativeLoadException">The native runtime cannot be loaded; the message says why and how to fix it.</exception>
    public static void EnsureInitialized(ILogger? logger = null)
    {
        RegisterResolver();
        var handle = LoadOnce();
        if (s_failure is not null)
        {
            throw s_failure;
        }

        if (handle != IntPtr.Zero && logger is not null && logger.IsEnabled(LogLevel.Debug))
        {
            logger.LogDebug("TorchSharp native library: {Path} (compatibility copy: {Compat})", NativeLibraryPath, UsesCompatibilityCopy);
        }
    }

    /// <summary>
    /// Loads the native runtime now if it can, without throwing: apps that reference the Peft package call this
    /// from a generated module initializer, so that TorchSharp — whose own loader probes by file name and finds the
    /// library already loaded — works even when the first call goes straight to <c>torch.*</c>. A failure is kept
    /// and thrown, with its real cause, by the next <see cref="EnsureInitialized"/>.
    /// </summary>
    /// <returns>True when the native runtime is loaded (or left to TorchSharp on other systems).</returns>
    public static bool TryPreload()
    {
        RegisterResolver();
        LoadOnce();
        return s_failure is null;
    }

    /// <summary>
    /// Registers Peft's native-library resolver for TorchSharp's P/Invokes (and Peft's) without loading anything
    /// (idempotent; Peft's own module initializer calls it).
    /// </summary>
    public static void RegisterResolver()
    {
        lock (Gate)
        {
            if (s_registered)
            {
                return;
            }

            s_registered = true;
            foreach (var assembly in new[] { NativeLibraryLocator.TorchSharpAssembly, typeof(TorchRuntime).Assembly })
            {
                try
                {
                    NativeLibrary.SetDllImportResolver(assembly, Resolve);
                }
                catch (InvalidOperationException)
                {
                    s_trace.AppendLine($"A native resolver was already set for {assembly.GetName().Name}; leaving it in place.");
                }
            }
        }
    }

    /// <summary>The handle of LibTorchSharp for looking up exports, loading it if needed.</summary>
    internal static IntPtr LibTorchSharpHandle()
    {
        EnsureInitialized();
        return s_handle != IntPtr.Zero
            ? s_handle
            : NativeLibrary.Load(LibraryName, NativeLibraryLocator.TorchSharpAssembly, null);
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (!string.Equals(name, LibraryName, StringComparison.Ordinal))
        {
            return IntPtr.Zero;
        }

        var handle = LoadOnce();
        if (s_failure is not null)
        {
            throw s_failure;
        }

        return handle; // Zero lets the runtime's default probing continue (non-Linux, unusual layouts).
    }

    private static IntPtr LoadOnce()
    {
        lock (Gate)
        {
            if (s_attempted)
            {
                return s_handle;
            }

            s_attempted = true;
            if (!OperatingSystem.IsLinux())
            {
                s_trace.AppendLine("Not Linux: TorchSharp's own loader is used.");
                return IntPtr.Zero;
            }

            try
            {
                s_handle = LoadOnLinux();
            }
            catch (TorchNativeLoadException ex)
            {
                s_failure = ex;
                s_trace.AppendLine("Failed: " + ex.Message);
            }

            return s_handle;
        }
    }

    private static IntPtr LoadOnLinux()
    {
        var mode = (Environment.GetEnvironmentVariable(CompatibilityVariable) ?? "auto").Trim().ToLowerInvariant();
        if (mode is not ("auto" or "force" or "off"))
        {
            throw new TorchNativeLoadException(NativeLoadFailure.Other,
                $"{CompatibilityVariable} must be 'auto', 'force' or 'off'; found '{mode}'.");
        }

        var folders = NativeLibraryLocator.CandidateFolders(NativeLibraryLocator.TorchSharpAssembly);
        var original = NativeLibraryLocator.FindFile(folders, NativeLibraryLocator.LibTorchSharpFile);
        if (original is null)
        {
            s_trace.AppendLine("libLibTorchSharp.so not found in:" + Environment.NewLine + NativeLibraryLocator.Describe(folders));
            s_trace.AppendLine("Leaving the search to TorchSharp's own loader.");
            return IntPtr.Zero;
        }

        var backendFolders = new[] { Path.GetDirectoryName(original)! }.Concat(folders).ToArray();
        var backend = NativeLibraryLocator.FindFile(backendFolders, NativeLibraryLocator.BackendMarkerFile);
        if (backend is null)
        {
            throw new TorchNativeLoadException(NativeLoadFailure.MissingBackend,
                "TorchSharp's native backend (LibTorch) is missing: no libtorch.so was found. Add the backend package "
                + "for your platform to the application, e.g. 'dotnet add package TorchSharp-cpu' (CPU) or "
                + "'dotnet add package TorchSharp-cuda-linux' (NVIDIA GPU), then restore and rebuild. Searched:"
                + Environment.NewLine + NativeLibraryLocator.Describe(backendFolders));
        }

        s_trace.AppendLine($"Backend: {backend}");
        Load(backend, "the LibTorch backend");

        if (mode != "force")
        {
            var error = TryLoad(original, out var handle);
            if (error is null)
            {
                s_trace.AppendLine($"Loaded {original} as shipped.");
                NativeLibraryPath = original;
                return handle;
            }

            var missing = MissingVersions(error);
            if (mode == "off" || missing.Count == 0)
            {
                throw Explain(error, original);
            }

            s_trace.AppendLine($"Loader reported missing C++ runtime versions: {string.Join(", ", missing)}.");
            EnsureWeakenable(original, missing, error);
        }

        var copy = CompatibleLibraryCache.GetOrCreate(original, out var weakened);
        s_trace.AppendLine($"Compatible copy {copy} (weak: {string.Join(", ", weakened)}).");
        var copyError = TryLoad(copy, out var copyHandle);
        if (copyError is not null)
        {
            throw Explain(copyError, copy);
        }

        NativeLibraryPath = copy;
        UsesCompatibilityCopy = true;
        return copyHandle;
    }

    private static void EnsureWeakenable(string original, IReadOnlyList<string> missing, string loaderMessage)
    {
        var elf = ElfVersionNeeds.Parse(File.ReadAllBytes(original), original);
        var (safe, unsafeOnes) = CompatibleLibraryCache.Classify(elf, missing);
        var unknown = missing.Where(v => !safe.Any(s => s.Version == v) && !unsafeOnes.Any(u => u.Requirement.Version == v)).ToList();
        if (unsafeOnes.Count == 0 && unknown.Count == 0)
        {
            return;
        }

        var detail = string.Join("; ", unsafeOnes.Select(u => $"{u.Requirement.Version} is needed by {string.Join(", ", u.Symbols.Take(5))}")
            .Concat(unknown.Select(v => $"{v} is needed by a dependency of {Path.GetFileName(original)}")));
        throw new TorchNativeLoadException(NativeLoadFailure.IncompatibleCppRuntime,
            $"The system C++ runtime (libstdc++) is too old for {original}: {detail}. These symbols are really used, so "
            + "Peft will not make them optional. Install a newer libstdc++ (GCC 13 or later) for this user, or run on a "
            + "newer distribution.", loaderMessage);
    }

    private static void Load(string path, string what)
    {
        var error = TryLoad(path, out _);
        if (error is not null)
        {
            throw Explain(error, path, what);
        }
    }

    private static string? TryLoad(string path, out IntPtr handle)
    {
        try
        {
            handle = NativeLibrary.Load(path);
            return null;
        }
        catch (DllNotFoundException ex)
        {
            handle = IntPtr.Zero;
            return ex.Message;
        }
        catch (BadImageFormatException ex)
        {
            handle = IntPtr.Zero;
            return ex.Message;
        }
    }

    /// <summary>Versions named by loader messages like <c>version `GLIBCXX_3.4.32' not found</c>.</summary>
    internal static IReadOnlyList<string> MissingVersions(string loaderMessage) =>
        Regex.Matches(loaderMessage, @"version [`']((?:GLIBCXX|CXXABI)_[0-9.]+)' not found")
            .Select(m => m.Groups[1].Value).Distinct().ToList();

    /// <summary>Turns a loader message into an exception that names the real cause and the fix.</summary>
    internal static TorchNativeLoadException Explain(string loaderMessage, string path, string what = "TorchSharp's native library")
    {
        if (Regex.IsMatch(loaderMessage, @"libtorch[^ ]*\.so[^:]*: cannot open shared object file"))
        {
            return new TorchNativeLoadException(NativeLoadFailure.MissingBackend,
                $"Loading {what} ({path}) failed because a LibTorch library is missing. Reference the backend package "
                + "that matches TorchSharp (TorchSharp-cpu or TorchSharp-cuda-linux) and rebuild. Loader said: " + loaderMessage,
                loaderMessage);
        }

        if (loaderMessage.Contains("wrong ELF class", StringComparison.Ordinal)
            || loaderMessage.Contains("invalid ELF header", StringComparison.Ordinal)
            || loaderMessage.Contains("ELF file's", StringComparison.Ordinal))
        {
            var built = File.Exists(path) ? ElfVersionNeeds.DescribeMachine(File.ReadAllBytes(path).AsSpan(0, 64)) : "unknown";
            return new TorchNativeLoadException(NativeLoadFailure.WrongArchitecture,
                $"{path} is built for {built}, but this process is {RuntimeInformation.ProcessArchitecture}. Restore the "
                + $"packages for this machine's runtime identifier ({NativeLibraryLocator.Rid}) or run a matching process. "
                + "Loader said: " + loaderMessage, loaderMessage);
        }

        var symbol = Regex.Match(loaderMessage, @"undefined symbol: (\S+)");
        if (symbol.Success)
        {
            return new TorchNativeLoadException(NativeLoadFailure.MissingSymbol,
                $"{path} needs the symbol {symbol.Groups[1].Value}, which the loaded libraries do not define: TorchSharp "
                + "and LibTorch versions do not match. Use the backend package released with your TorchSharp version "
                + "(TorchSharp 0.107.x needs LibTorch 2.10.0, i.e. TorchSharp-cpu 0.107.x). Loader said: " + loaderMessage,
                loaderMessage);
        }

        if (MissingVersions(loaderMessage).Count > 0)
        {
            return new TorchNativeLoadException(NativeLoadFailure.IncompatibleCppRuntime,
                $"The system C++ runtime is older than {path} needs ({string.Join(", ", MissingVersions(loaderMessage))}). "
                + $"Unset {CompatibilityVariable}=off to let Peft load a compatible copy, or install libstdc++ from GCC 13+. "
                + "Loader said: " + loaderMessage, loaderMessage);
        }

        return new TorchNativeLoadException(NativeLoadFailure.Other,
            $"Loading {what} ({path}) failed. Loader said: {loaderMessage}", loaderMessage);
    }
}
