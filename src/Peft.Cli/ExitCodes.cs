namespace Peft.Cli;

/// <summary>The exit codes of the <c>peft</c> tool (see docs/cli.md).</summary>
public static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Success = 0;

    /// <summary>The command failed; one line on standard error says why (the full exception with <c>--verbose</c>).</summary>
    public const int Failure = 1;

    /// <summary>Bad usage: a parse error, an invalid option value, a bad config file, or a missing file or folder named on the command line.</summary>
    public const int Usage = 2;

    /// <summary>Interrupted by Ctrl+C (or cancellation): training saved a checkpoint first and printed how to resume.</summary>
    public const int Interrupted = 130;
}
