using System.CommandLine;
using System.CommandLine.Help;
using Peft.Cli.Infrastructure;

namespace Peft.Cli;

/// <summary>
/// The <c>peft</c> command line as a method: parses the arguments, runs the command with the given writers and
/// returns the exit code (<see cref="ExitCodes"/>). <c>Program.Main</c> calls it with the console; tests call it
/// in-process with string writers.
/// </summary>
public static class PeftCli
{
    /// <summary>Runs one command line.</summary>
    /// <param name="args">The arguments, without the program name (e.g. <c>["inspect", "models/tiny"]</c>).</param>
    /// <param name="output">Standard output: results, tables, progress, generated text, help.</param>
    /// <param name="error">Standard error: warnings and the one-line cause of a failure.</param>
    /// <param name="input">Standard input (read by <c>generate --chat</c>); null for none.</param>
    /// <param name="cancellationToken">Ctrl+C: training stops at the next step boundary after saving a checkpoint; generation stops at the next token.</param>
    /// <returns>The exit code: 0 success, 1 failure, 2 bad usage, 130 interrupted.</returns>
    public static int Run(string[] args, TextWriter output, TextWriter error, TextReader? input = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var root = CreateRootCommand();
        var parse = root.Parse(args);
        var verbose = parse.GetResult(GlobalOptions.Verbose) is not null && parse.GetValue(GlobalOptions.Verbose);
        using var session = CliSession.Begin(input ?? TextReader.Null);
        try
        {
            if (parse.Action is not HelpAction && parse.Errors.Count > 0)
            {
                foreach (var parseError in parse.Errors)
                {
                    error.WriteLine($"error: {parseError.Message}");
                }

                error.WriteLine($"Run '{CommandPath(parse)} --help' for usage.");
                return ExitCodes.Usage;
            }

            var configuration = new InvocationConfiguration
            {
                Output = output,
                Error = error,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null, // Ctrl+C arrives through cancellationToken (Program wires Console.CancelKeyPress)
            };
            return parse.InvokeAsync(configuration, cancellationToken).GetAwaiter().GetResult();
        }
        catch (Exception ex)
        {
            return ErrorReport.Write(ex, error, verbose);
        }
        finally
        {
            output.Flush();
            error.Flush();
        }
    }

    /// <summary>The root command with the global options and every registered command.</summary>
    /// <remarks>A plain command named <c>peft</c> (not <c>RootCommand</c>, which takes the host process's name: "testhost", "dotnet").</remarks>
    internal static Command CreateRootCommand()
    {
        var root = new Command("peft",
            "peft: parameter-efficient fine-tuning (LoRA, QLoRA, DoRA; SFT, DPO, ORPO) of Hugging Face Llama-family models on .NET.")
        {
            new HelpOption { Recursive = true },
            new VersionOption(),
            GlobalOptions.Device,
            GlobalOptions.Verbose,
        };
        foreach (var command in Program.Commands())
        {
            root.Subcommands.Add(command);
        }

        return root;
    }

    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Add(result.Command.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}
