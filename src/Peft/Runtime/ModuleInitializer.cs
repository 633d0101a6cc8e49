using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Peft.Runtime;

internal static class ModuleInitializer
{
    /// <summary>
    /// Registers the native-library resolver as soon as the Peft assembly is touched, so TorchSharp finds a
    /// loadable LibTorchSharp even when user code calls TorchSharp before any Peft API. Registration is cheap:
    /// nothing is loaded until TorchSharp asks for its native library.
    /// </summary>
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "TorchSharp must see the resolver before its static constructor runs; see docs/troubleshooting.md.")]
    internal static void Initialize() => TorchRuntime.RegisterResolver();
}
