using System.Diagnostics;
using FluentAssertions;
using Peft.Cli;
using Peft.Tests.Support;
using Xunit;

namespace Peft.Tests.Cli;

/// <summary>The built tool as a real process: native TorchSharp loading, training, and Ctrl+C (SIGINT) through Console.CancelKeyPress.</summary>
public sealed class CliProcessTests : IClassFixture<CliWorkspace>
{
    private readonly CliWorkspace _ws;

    public CliProcessTests(CliWorkspace ws) => _ws = ws;

    /// <summary>src/Peft.Cli/bin/&lt;Configuration&gt;/&lt;tfm&gt;/Peft.Cli.dll, built as a project reference of the tests.</summary>
    private static string CliDll
    {
        get
        {
            var probe = new DirectoryInfo(ChildProcess.NativeProbeFolder); // tests/Peft.NativeProbe/bin/<Configuration>/<tfm>
            var repository = probe.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
            return Path.Combine(repository, "src", "Peft.Cli", "bin", probe.Parent!.Name, probe.Name, "Peft.Cli.dll");
        }
    }

    [SkippableFact]
    public void SigintStopsTrainingWithACheckpointAndExitCode130()
    {
        Skip.IfNot(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "sends SIGINT with kill(1)");
        File.Exists(CliDll).Should().BeTrue(CliDll);
        var output = _ws.PathOf("sigint");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var arg in new[]
                 {
                     "exec", CliDll, "train", "sft", "--model", _ws.Model, "--data", _ws.SftData, "--output", output, "--max-steps", "100000",
                     "--batch-size", "2", "--logging-steps", "1", "--lora-r", "2", "--tensorboard", "false", "--device", "cpu",
                 })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var lines = new List<string>();
        var firstStep = new TaskCompletionSource();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (lines)
            {
                lines.Add(e.Data);
            }

            if (e.Data.StartsWith("step 1/100000", StringComparison.Ordinal))
            {
                firstStep.TrySetResult();
            }
        };
        var stderr = process.StandardError.ReadToEndAsync();
        process.BeginOutputReadLine();
        try
        {
            firstStep.Task.Wait(TimeSpan.FromSeconds(90)).Should().BeTrue("the tool starts training; output so far:\n" + string.Join('\n', lines));
            using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                kill.WaitForExit();
            }

            process.WaitForExit(60_000).Should().BeTrue("SIGINT stops training at the next step");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        process.WaitForExit();
        var stdout = string.Join('\n', lines);
        process.ExitCode.Should().Be(ExitCodes.Interrupted, stdout + "\n" + stderr.Result);
        stderr.Result.Should().Contain("Interrupted: stopping at the next step boundary");
        stdout.Should().Contain("Resume with: peft train sft").And.EndWith("--resume latest");
        Directory.GetDirectories(output, "checkpoint-*").Should().ContainSingle();
        File.Exists(Path.Combine(output, "adapter_model.safetensors")).Should().BeTrue();
    }
}
