using System.Runtime.CompilerServices;
using Peft.Runtime;

namespace Peft.Tests.Support;

internal static class TestAssembly
{
    /// <summary>Loads TorchSharp's native runtime through Peft before any test touches <c>torch</c>.</summary>
    [ModuleInitializer]
    internal static void Initialize()
    {
        TorchRuntime.EnsureInitialized();
        TorchSharp.torch.set_num_threads(Math.Max(1, Environment.ProcessorCount));
    }
}
