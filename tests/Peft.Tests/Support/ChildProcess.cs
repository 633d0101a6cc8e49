using System.Diagnostics;

namespace Peft.Tests.Support;

/// <summary>Runs a .NET program in a separate process and captures its output.</summary>
internal static class ChildProcess
{
    /// <summary>The native probe app built next to the tests (tests/Peft.NativeProbe).</summary>
    public static string NativeProbeFolder
    {
        get
        {
            // tests/Peft.Tests/bin/<Configuration>/net10.0 -> tests/Peft.NativeProbe/bin/<Configuration>/net10.0
            var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var tfm = testBin.Name;
            var configuration = testBin.Parent!.Name;
            var testsRoot = testBin.Parent!.Parent!.Parent!.Parent!.FullName;
            return Path.Combine(testsRoot, "Peft.NativeProbe", "bin", configuration, tfm);
        }
    }

    public static (int ExitCode, string Output) RunDotnet(string dll, IDictionary<string, string?> environment, int timeoutMs = 120_000, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            if (value is null)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeoutMs))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{dll} did not finish in {timeoutMs} ms.");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
