namespace Peft.Runtime;

/// <summary>Thrown when a CUDA device was asked for explicitly but is not available.</summary>
public sealed class DeviceUnavailableException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was asked for, what is available, and how to fix it.</param>
    public DeviceUnavailableException(string message)
        : base(message)
    {
    }
}
