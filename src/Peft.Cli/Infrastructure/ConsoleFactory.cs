using Spectre.Console;

namespace Peft.Cli.Infrastructure;

/// <summary>Spectre consoles over a writer: colours and live progress only on a real terminal; plain, wide text elsewhere (pipes, files, tests).</summary>
internal static class ConsoleFactory
{
    public static IAnsiConsole Create(TextWriter writer)
    {
        var terminal = ReferenceEquals(writer, System.Console.Out) && !System.Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal)
        {
            console.Profile.Width = 160;
        }

        return console;
    }

    /// <summary>True when live widgets (progress bars) can be drawn.</summary>
    public static bool IsInteractive(IAnsiConsole console) => console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi;
}
