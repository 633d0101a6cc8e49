namespace Peft.Tests.Examples;

/// <summary>Paths in the source repository the tests were built from (examples, notebooks, the library project).</summary>
internal static class Repository
{
    /// <summary>The folder holding Peft.sln, found by walking up from the test assembly.</summary>
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine(new[] { Root }.Concat(parts).ToArray());

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Peft.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Peft.sln above {AppContext.BaseDirectory}: the tests must run from a build inside the repository.");
    }
}
