namespace Peft.Runtime;

/// <summary>Why TorchSharp's native library could not be loaded.</summary>
public enum NativeLoadFailure
{
    /// <summary>The LibTorch backend package (TorchSharp-cpu, TorchSharp-cuda-linux, …) is not referenced or not restored.</summary>
    MissingBackend,

    /// <summary>The system C++ runtime lacks a symbol version that the native library needs and that cannot be made optional safely.</summary>
    IncompatibleCppRuntime,

    /// <summary>A symbol is missing: TorchSharp and LibTorch versions do not match.</summary>
    MissingSymbol,

    /// <summary>The native files are built for another processor architecture than the running process.</summary>
    WrongArchitecture,

    /// <summary>Any other loader error; the message quotes the loader's own words.</summary>
    Other,
}
