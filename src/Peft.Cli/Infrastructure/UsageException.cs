namespace Peft.Cli.Infrastructure;

/// <summary>Bad usage found after parsing (an invalid value, a missing file, a bad config file): exit code 2.</summary>
internal sealed class UsageException : Exception
{
    public UsageException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
