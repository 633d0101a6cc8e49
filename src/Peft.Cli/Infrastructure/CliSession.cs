namespace Peft.Cli.Infrastructure;

/// <summary>What one <see cref="PeftCli.Run"/> call provides beyond System.CommandLine's invocation settings (standard input).</summary>
internal sealed class CliSession : IDisposable
{
    private static readonly AsyncLocal<CliSession?> CurrentSession = new();
    private readonly CliSession? _previous;

    private CliSession(TextReader input, CliSession? previous)
    {
        Input = input;
        _previous = previous;
    }

    /// <summary>The session of the running command line; a console session when none was begun.</summary>
    public static CliSession Current => CurrentSession.Value ?? new CliSession(Console.In, null);

    /// <summary>Standard input.</summary>
    public TextReader Input { get; }

    public static CliSession Begin(TextReader input)
    {
        var session = new CliSession(input, CurrentSession.Value);
        CurrentSession.Value = session;
        return session;
    }

    public void Dispose() => CurrentSession.Value = _previous;
}
