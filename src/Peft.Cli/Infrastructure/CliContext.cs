using System.CommandLine;
using Microsoft.Extensions.Logging;
using Peft.Runtime;
using Spectre.Console;

namespace Peft.Cli.Infrastructure;

/// <summary>Everything a command's action needs: the parse result, the writers, the console, global options and Ctrl+C.</summary>
internal sealed class CliContext
{
    private CliContext(ParseResult parse, CancellationToken cancellation)
    {
        Parse = parse;
        Output = parse.InvocationConfiguration.Output;
        Error = parse.InvocationConfiguration.Error;
        Input = CliSession.Current.Input;
        Verbose = parse.GetValue(GlobalOptions.Verbose);
        Device = parse.GetValue(GlobalOptions.Device) ?? DeviceOption.Auto;
        Console = ConsoleFactory.Create(Output);
        Logger = new CliLogger(Error, Verbose);
        Cancellation = cancellation;
    }

    public ParseResult Parse { get; }

    public TextWriter Output { get; }

    public TextWriter Error { get; }

    public TextReader Input { get; }

    public bool Verbose { get; }

    public DeviceOption Device { get; set; }

    /// <summary>Spectre console over <see cref="Output"/> (interactive only on a real terminal).</summary>
    public IAnsiConsole Console { get; }

    /// <summary>Warnings always, information with <c>--verbose</c>, written to standard error.</summary>
    public ILogger Logger { get; }

    public CancellationToken Cancellation { get; }

    public static CliContext Create(ParseResult parse, CancellationToken cancellation) => new(parse, cancellation);

    /// <summary>The value of an option, or null when it is absent.</summary>
    public T? Get<T>(Option<T> option) => Parse.GetValue(option);

    /// <summary>True when the option appeared on the command line (not just its default).</summary>
    public bool Given(Option option) => Parse.GetResult(option) is { Implicit: false };

    public void Info(string line) => Output.WriteLine(line);

    public void Warn(string line) => Error.WriteLine($"warning: {line}");
}
