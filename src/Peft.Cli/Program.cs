using System.CommandLine;
using Peft.Cli.Commands;
using Peft.Cli.Commands.Eval;
using Peft.Cli.Commands.Train;
using Peft.Cli.QuickStart;

namespace Peft.Cli;

/// <summary>The <c>peft</c> executable: wires Ctrl+C to a cancellation token and runs <see cref="PeftCli.Run"/>.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            if (cancel.IsCancellationRequested)
            {
                return; // a second Ctrl+C ends the process at once
            }

            e.Cancel = true;
            Console.Error.WriteLine("Interrupted: stopping at the next step boundary (press Ctrl+C again to abort at once)...");
            cancel.Cancel();
        };
        return PeftCli.Run(args, Console.Out, Console.Error, Console.In, cancel.Token);
    }

    // ============================================================================================================
    // COMMAND REGISTRATION: the one place where the top-level commands of `peft` are listed.
    // Every command is a factory returning a System.CommandLine `Command` whose action uses CliContext
    // (see Infrastructure/CliContext.cs and Infrastructure/CommandActions.cs).
    // The quickstart command (src/Peft.Cli/QuickStart/) is added to this list as:
    //     QuickStartCommand.Create(),
    // ============================================================================================================
    internal static IEnumerable<Command> Commands() =>
    [
        TrainCommand.Create(),
        EvalCommand.Create(),
        GenerateCommand.Create(),
        MergeCommand.Create(),
        InspectCommand.Create(),
        QuickStartCommand.Create(),
    ];
}
