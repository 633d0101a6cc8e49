using System.CommandLine;

namespace Peft.Cli.Infrastructure;

/// <summary>Binds a command to a method taking a <see cref="CliContext"/> and returning an exit code.</summary>
internal static class CommandActions
{
    public static void Set(Command command, Func<CliContext, int> run) =>
        command.SetAction((parse, cancellation) => Task.FromResult(run(CliContext.Create(parse, cancellation))));

    public static void SetAsync(Command command, Func<CliContext, Task<int>> run) =>
        command.SetAction((parse, cancellation) => run(CliContext.Create(parse, cancellation)));
}
