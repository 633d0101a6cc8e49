using FluentAssertions;
using Peft.Runtime;
using Peft.Tests.Support;
using Xunit;

namespace Peft.Tests.Runtime;

public sealed class NativeRuntimeTests
{
    private static string ProbeDll => Path.Combine(ChildProcess.NativeProbeFolder, "Peft.NativeProbe.dll");

    [Fact]
    public void ForcedCompatibilityCopyLoadsFromAFreshCacheAndComputes()
    {
        using var cache = new TempDirectory();
        var env = new Dictionary<string, string?>
        {
            [TorchRuntime.CompatibilityVariable] = "force",
            [TorchRuntime.CacheDirectoryVariable] = cache.Path,
        };

        var (code, output) = ChildProcess.RunDotnet(ProbeDll, env);

        code.Should().Be(0, output);
        output.Should().Contain("matmul=22,28,49,64"); // [[1,2,3],[4,5,6]] x [[1,2],[3,4],[5,6]]
        output.Should().Contain("compat=True");
        var copies = Directory.GetFiles(Path.Combine(cache.Path, "torchsharp-native"), "libLibTorchSharp.so", SearchOption.AllDirectories);
        copies.Should().ContainSingle();
        output.Should().Contain("path=" + copies[0]);
        Directory.GetFiles(cache.Path, "*.tmp", SearchOption.AllDirectories).Should().BeEmpty("writes are renamed into place");

        // The copy's C++-runtime requirement that the system may lack is weak; nothing else changed.
        var original = File.ReadAllBytes(Path.Combine(ChildProcess.NativeProbeFolder, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"));
        var patched = File.ReadAllBytes(copies[0]);
        patched.Length.Should().Be(original.Length);
        var differing = Enumerable.Range(0, original.Length).Count(i => original[i] != patched[i]);
        differing.Should().Be(1, "only the flags byte of one version entry changes");

        // A second start reuses the cached copy without rewriting it.
        var stamp = File.GetLastWriteTimeUtc(copies[0]);
        var (code2, output2) = ChildProcess.RunDotnet(ProbeDll, env);
        code2.Should().Be(0, output2);
        output2.Should().Contain("path=" + copies[0]);
        File.GetLastWriteTimeUtc(copies[0]).Should().Be(stamp);
    }

    [Fact]
    public void AnAppWhoseFirstCallIsTorchWorksThroughThePackageBootstrap()
    {
        using var cache = new TempDirectory();
        var (code, output) = ChildProcess.RunDotnet(ProbeDll,
            new Dictionary<string, string?> { [TorchRuntime.CacheDirectoryVariable] = cache.Path }, 120_000, "torch-first");

        code.Should().Be(0, output);
        output.Should().Contain("matmul=22,28,49,64");
        // Peft preloaded the library before TorchSharp's own loader ran: the compatible copy where the C++ runtime is
        // old (Debian 12, this project's CI), the shipped file elsewhere.
        output.Should().Match(o => o.Contains("compat=True") ? o.Contains("path=" + cache.Path) : o.Contains("path=" + ChildProcess.NativeProbeFolder));
    }

    [Fact]
    public void MissingBackendGivesAClearError()
    {
        using var app = new TempDirectory();
        CopyWithoutLibTorch(ChildProcess.NativeProbeFolder, app.Path);
        using var cache = new TempDirectory();

        var (code, output) = ChildProcess.RunDotnet(Path.Combine(app.Path, "Peft.NativeProbe.dll"),
            new Dictionary<string, string?> { [TorchRuntime.CacheDirectoryVariable] = cache.Path });

        code.Should().Be(3, output);
        output.Should().Contain("failure=MissingBackend");
        output.Should().Contain("dotnet add package TorchSharp-cpu");
        output.Should().Contain("no libtorch.so was found");
    }

    [Fact]
    public void UnknownCompatibilityModeIsRejectedByName()
    {
        var (code, output) = ChildProcess.RunDotnet(ProbeDll,
            new Dictionary<string, string?> { [TorchRuntime.CompatibilityVariable] = "sometimes" });

        code.Should().Be(3, output);
        output.Should().Contain("PEFT_TORCH_COMPAT must be 'auto', 'force' or 'off'; found 'sometimes'");
    }

    [Fact]
    public void ElfReaderFindsTheVersionThatOnlyALinkTimeAnchorNeeds()
    {
        var path = Path.Combine(ChildProcess.NativeProbeFolder, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        var elf = ElfVersionNeeds.Parse(File.ReadAllBytes(path), path);

        var glibcxx32 = elf.Requirements.Single(r => r.Version == "GLIBCXX_3.4.32");
        glibcxx32.File.Should().Be("libstdc++.so.6");
        glibcxx32.IsWeak.Should().BeFalse();
        elf.UndefinedSymbolsOf(glibcxx32.Index).Should().Equal("_ZSt21ios_base_library_initv");

        var (safe, unsafeOnes) = CompatibleLibraryCache.Classify(elf, new[] { "GLIBCXX_3.4.32", "GLIBCXX_3.4.30" });
        safe.Select(r => r.Version).Should().Equal("GLIBCXX_3.4.32");
        unsafeOnes.Select(u => u.Requirement.Version).Should().Equal("GLIBCXX_3.4.30"); // real symbols use it

        elf.MarkWeak(glibcxx32);
        elf.Requirements.Single(r => r.Version == "GLIBCXX_3.4.32").IsWeak.Should().BeTrue();
    }

    [Fact]
    public void ElfReaderRejectsNonElfInput()
    {
        var act = () => ElfVersionNeeds.Parse(new byte[100], "x.so");
        act.Should().Throw<InvalidDataException>().WithMessage("'x.so' is not an ELF file.");
    }

    [Theory]
    [InlineData("/x/libtorch_cpu.so: cannot open shared object file: No such file or directory", NativeLoadFailure.MissingBackend)]
    [InlineData("/x/libLibTorchSharp.so: wrong ELF class: ELFCLASS32", NativeLoadFailure.WrongArchitecture)]
    [InlineData("/x/libLibTorchSharp.so: undefined symbol: _ZN3c104impl8GPUTrace9haveStateE", NativeLoadFailure.MissingSymbol)]
    [InlineData("/lib/libstdc++.so.6: version `GLIBCXX_3.4.32' not found (required by /x/libLibTorchSharp.so)", NativeLoadFailure.IncompatibleCppRuntime)]
    [InlineData("something else entirely", NativeLoadFailure.Other)]
    public void LoaderMessagesAreClassified(string loaderMessage, NativeLoadFailure expected)
    {
        var ex = TorchRuntime.Explain(loaderMessage, "/x/libLibTorchSharp.so");

        ex.Failure.Should().Be(expected);
        ex.LoaderMessage.Should().Be(loaderMessage);
        ex.Message.Should().Contain(loaderMessage);
    }

    [Fact]
    public void MissingVersionsAreParsedFromLoaderMessages()
    {
        TorchRuntime.MissingVersions("libstdc++.so.6: version `GLIBCXX_3.4.32' not found (required by a); version `CXXABI_1.3.15' not found")
            .Should().Equal("GLIBCXX_3.4.32", "CXXABI_1.3.15");
    }

    private static void CopyWithoutLibTorch(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var name = Path.GetFileName(file);
            if (name.StartsWith("libtorch", StringComparison.Ordinal) || name.StartsWith("libc10", StringComparison.Ordinal))
            {
                continue;
            }

            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
