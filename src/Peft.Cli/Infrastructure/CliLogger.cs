using Microsoft.Extensions.Logging;

namespace Peft.Cli.Infrastructure;

/// <summary>The library's log messages on standard error: warnings and errors always, information and debug with <c>--verbose</c>.</summary>
internal sealed class CliLogger : ILogger
{
    private readonly TextWriter _writer;
    private readonly bool _verbose;

    public CliLogger(TextWriter writer, bool verbose)
    {
        _writer = writer;
        _verbose = verbose;
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning || (_verbose && logLevel >= LogLevel.Debug);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var prefix = logLevel switch
        {
            >= LogLevel.Error => "error",
            LogLevel.Warning => "warning",
            _ => "info",
        };
        _writer.WriteLine($"{prefix}: {formatter(state, exception)}");
    }
}
