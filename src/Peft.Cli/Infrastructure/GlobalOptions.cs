using System.CommandLine;
using Peft.Runtime;

namespace Peft.Cli.Infrastructure;

/// <summary>Options every command accepts (<c>--device</c>, <c>--verbose</c>).</summary>
internal static class GlobalOptions
{
    /// <summary><c>--device auto|cpu|cuda[:N]</c>; the <c>PEFT_DEVICE</c> environment variable overrides it (library rule).</summary>
    public static readonly Option<DeviceOption> Device = new("--device")
    {
        Description = "Compute device: auto (CUDA when available, else CPU), cpu, cuda or cuda:N. PEFT_DEVICE overrides it.",
        HelpName = "auto|cpu|cuda[:N]",
        Recursive = true,
        DefaultValueFactory = _ => DeviceOption.Auto,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
            try
            {
                return DeviceOption.Parse(text);
            }
            catch (FormatException ex)
            {
                result.AddError($"--device: {ex.Message}");
                return DeviceOption.Auto;
            }
        },
    };

    /// <summary><c>--verbose</c>: log details and print full exceptions.</summary>
    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Log details (device choice, loading) and print the full exception when a command fails.",
        Recursive = true,
    };
}
