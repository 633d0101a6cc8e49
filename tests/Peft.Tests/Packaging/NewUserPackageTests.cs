using System.IO.Compression;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using FluentAssertions;
using Peft.Tests.Examples;
using Peft.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Peft.Tests.Packaging;

/// <summary>
/// Packs src/Peft into a local folder feed and uses the package exactly as a new user would: <c>dotnet new console</c>,
/// <c>dotnet add package Peft</c> and <c>TorchSharp-cpu</c>, a Program.cs doing a tiny LoRA fine-tune, <c>dotnet run</c>.
/// Each run packs a unique prerelease version (and removes it from the global package cache afterwards), so a
/// package cached by an earlier run can never stand in for the one just built. The only departure from a user's
/// commands: the app's build hard-links TorchSharp's 1.5 GB of native libraries from the NuGet cache instead of
/// copying them.
/// </summary>
[Trait("Category", "Long")]
public sealed class NewUserPackageTests : IDisposable
{
    private const string TestTag = "newusertest";
    private readonly TempDirectory _dir = new();
    private readonly ITestOutputHelper _log;
    private readonly string _version;

    public NewUserPackageTests(ITestOutputHelper log)
    {
        _log = log;
        var assemblyVersion = typeof(Peft.Models.CausalLM).Assembly.GetName().Version!;
        _version = $"{assemblyVersion.Major}.{assemblyVersion.Minor}.{assemblyVersion.Build}-{TestTag}.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
    }

    private static string GlobalPackagesFolder =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } folder
            ? folder
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    public void Dispose()
    {
        RemoveTestVersionsFromCache();
        _dir.Dispose();
    }

    [Fact]
    public void PackageInstallsAndFineTunesInAFreshConsoleApp()
    {
        RemoveTestVersionsFromCache();
        var feed = _dir.File("feed");
        Dotnet(Repository.Root, "pack", Repository.Path("src", "Peft", "Peft.csproj"), "-c", "Release", "-o", feed,
            $"-p:Version={_version}", "--artifacts-path", _dir.File("artifacts"));
        var nuspec = CheckPackage(Path.Combine(feed, $"Peft.{_version}.nupkg"), Path.Combine(feed, $"Peft.{_version}.snupkg"));
        var torchSharpVersion = nuspec.Descendants().Single(e => e.Name.LocalName == "dependency" && (string?)e.Attribute("id") == "TorchSharp")
            .Attribute("version")!.Value;

        var app = _dir.File("TinyFineTune");
        Dotnet(_dir.Path, "new", "console", "-n", "TinyFineTune", "-o", app);
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local-peft" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        Dotnet(app, "add", "package", "Peft", "--version", _version);
        Dotnet(app, "add", "package", "TorchSharp-cpu", "--version", torchSharpVersion);
        File.WriteAllText(Path.Combine(app, "Program.cs"), NewUserProgram.Source);

        var run = Dotnet(app, "run", "-p:CreateHardLinksForCopyLocalIfPossible=true");

        var output = run.Output;
        output.Should().MatchRegex(@"TRAINED steps=2 loss=\d+\.\d{4}");
        output.Should().Contain("ADAPTER adapter_config.json,adapter_model.safetensors");
        var reload = Regex.Match(output, @"RELOAD max-difference=(\S+) adapter-effect=(\S+)");
        reload.Success.Should().BeTrue(output);
        double.Parse(reload.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture).Should().Be(0, "the reloaded adapter is the trained one, bit for bit");
        double.Parse(reload.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture).Should().BeGreaterThan(1e-4, "two steps moved the adapter away from B = 0");
        output.Should().MatchRegex(@"GENERATED tokens=[1-8] same=True");
        var assets = File.ReadAllText(Path.Combine(app, "obj", "project.assets.json"));
        assets.Should().Contain($"\"Peft/{_version}\"", "the app restored the package just packed, not a cached one");
    }

    /// <summary>The package holds the library, its XML docs, the readme, the icon and the licence; the symbols package the PDB.</summary>
    private XDocument CheckPackage(string nupkg, string snupkg)
    {
        using var package = ZipFile.OpenRead(nupkg);
        package.Entries.Select(e => e.FullName).Should().Contain(["lib/net10.0/Peft.dll", "lib/net10.0/Peft.xml", "README.md", "icon.png", "Peft.nuspec"]);
        using var reader = new StreamReader(package.GetEntry("Peft.nuspec")!.Open());
        var nuspec = XDocument.Parse(reader.ReadToEnd());
        string Field(string name) => nuspec.Descendants().Single(e => e.Name.LocalName == name).Value;
        Field("license").Should().Be("MIT");
        Field("icon").Should().Be("icon.png");
        Field("readme").Should().Be("README.md");
        Field("tags").Split(' ').Should().Contain(["lora", "qlora", "peft", "torchsharp"]);
        nuspec.Descendants().Single(e => e.Name.LocalName == "repository").Attribute("url")!.Value.Should().StartWith("https://");

        using var symbols = ZipFile.OpenRead(snupkg);
        symbols.Entries.Select(e => e.FullName).Should().Contain("lib/net10.0/Peft.pdb");
        return nuspec;
    }

    private DotnetCli.Result Dotnet(string workingDirectory, params string[] arguments)
    {
        var result = DotnetCli.Run(workingDirectory, arguments, timeoutSeconds: 600);
        _log.WriteLine($"$ dotnet {string.Join(' ', arguments)}   ({result.Elapsed.TotalSeconds:F1} s)");
        _log.WriteLine(result.Output);
        result.ExitCode.Should().Be(0, $"dotnet {string.Join(' ', arguments)} must succeed; {result}");
        return result;
    }

    /// <summary>Deletes this test's prerelease versions of Peft from the global package cache (never a real version).</summary>
    private static void RemoveTestVersionsFromCache()
    {
        var peft = Path.Combine(GlobalPackagesFolder, "peft");
        if (!Directory.Exists(peft))
        {
            return;
        }

        foreach (var version in Directory.GetDirectories(peft, $"*-{TestTag}.*"))
        {
            try
            {
                Directory.Delete(version, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
