// A tiny process that starts TorchSharp from scratch through Peft's runtime loader and reports what happened.
// The tests run it with different environments (forced compatibility copy, missing backend, ...). With the argument
// "torch-first" its first call goes straight to torch.*, relying on the module initializer the Peft package adds to apps.
using Peft.Runtime;
using TorchSharp;

try
{
    if (!args.Contains("torch-first"))
    {
        TorchRuntime.EnsureInitialized();
    }

    using var a = torch.arange(1, 7, dtype: torch.float32).reshape(2, 3);
    using var b = torch.arange(1, 7, dtype: torch.float32).reshape(3, 2);
    using var c = a.matmul(b);
    var values = c.data<float>().ToArray();
    Console.WriteLine($"matmul={string.Join(",", values)}");
    Console.WriteLine($"path={TorchRuntime.NativeLibraryPath}");
    Console.WriteLine($"compat={TorchRuntime.UsesCompatibilityCopy}");
    return 0;
}
catch (TorchNativeLoadException ex)
{
    Console.WriteLine($"failure={ex.Failure}");
    Console.WriteLine($"message={ex.Message}");
    return 3;
}
