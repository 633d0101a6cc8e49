namespace Peft.Runtime;

/// <summary>
/// Thrown when TorchSharp's native library cannot be loaded. The message states the real cause and how to fix
/// it; <see cref="Failure"/> classifies it and <see cref="LoaderMessage"/> keeps the operating system's own words.
/// </summary>
public sealed class TorchNativeLoadException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="failure">The classified cause.</param>
    /// <param name="message">The user-facing explanation with the fix.</param>
    /// <param name="loaderMessage">The dynamic loader's message, if any.</param>
    /// <param name="inner">The exception that reported the failure, if any.</param>
    public TorchNativeLoadException(NativeLoadFailure failure, string message, string? loaderMessage = null, Exception? inner = null)
        : base(message, inner)
    {
        Failure = failure;
        LoaderMessage = loaderMessage;
    }

    /// <summary>The classified cause.</summary>
    public NativeLoadFailure Failure { get; }

    /// <summary>The dynamic loader's own message (from <c>dlerror</c>), when there was one.</summary>
    public string? LoaderMessage { get; }
}
