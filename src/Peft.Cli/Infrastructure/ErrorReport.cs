using System.Reflection;
using Peft.Tokenization;

namespace Peft.Cli.Infrastructure;

/// <summary>Turns any exception into an exit code and one line on standard error (plus the full exception with <c>--verbose</c>).</summary>
internal static class ErrorReport
{
    /// <summary>Longest message printed without <c>--verbose</c>.</summary>
    private const int MaxLength = 600;

    public static int Write(Exception exception, TextWriter error, bool verbose)
    {
        var ex = Unwrap(exception);
        var (code, line) = Classify(ex);
        error.WriteLine($"error: {line}");
        if (verbose)
        {
            error.WriteLine(exception.ToString());
        }
        else if (code == ExitCodes.Failure && line.EndsWith('…'))
        {
            error.WriteLine("(message shortened; run with --verbose for the full text)");
        }

        return code;
    }

    /// <summary>The exit code and the one-line message for an exception.</summary>
    internal static (int Code, string Line) Classify(Exception exception)
    {
        var ex = Unwrap(exception);
        var message = OneLine(ex.Message);
        return ex switch
        {
            UsageException => (ExitCodes.Usage, message),
            FileNotFoundException or DirectoryNotFoundException or TokenizerFilesNotFoundException => (ExitCodes.Usage, message),
            OperationCanceledException => (ExitCodes.Interrupted, "cancelled."),
            OutOfMemoryException => (ExitCodes.Failure, $"out of memory ({message}). Use a smaller batch size or max length, --quantize nf4, or --gradient-checkpointing."),
            NullReferenceException or IndexOutOfRangeException or InvalidCastException or KeyNotFoundException =>
                (ExitCodes.Failure, $"internal error ({ex.GetType().Name}): {message} Run with --verbose for the stack trace."),
            _ => (ExitCodes.Failure, message),
        };
    }

    private static Exception Unwrap(Exception exception)
    {
        var ex = exception;
        while (ex is AggregateException { InnerExceptions.Count: 1 } or TargetInvocationException or TypeInitializationException && ex.InnerException is not null)
        {
            ex = ex.InnerException!;
        }

        return ex;
    }

    /// <summary>The message on one line: line breaks become spaces, and very long lists are shortened.</summary>
    private static string OneLine(string message)
    {
        var line = string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return line.Length <= MaxLength ? line : line[..MaxLength] + "…";
    }
}
