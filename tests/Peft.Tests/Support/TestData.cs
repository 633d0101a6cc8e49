namespace Peft.Tests.Support;

/// <summary>Paths of the data files copied next to the test assembly (tests/Peft.Tests/TestData).</summary>
internal static class TestData
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "TestData");

    /// <summary>A path under TestData.</summary>
    public static string File(params string[] parts) => Path.Combine(new[] { Root }.Concat(parts).ToArray());

    /// <summary>The hf-parity fixture written by real transformers 4.46 and PEFT 0.13.</summary>
    public static string HfParity(params string[] parts) =>
        Path.Combine(new[] { Root, "hf-parity", "llama_a_gqa_untied" }.Concat(parts).ToArray());
}
