using Peft.Adapters;

namespace Peft.Cli.Infrastructure;

/// <summary>Checks for paths named on the command line; a missing one is bad usage (exit code 2) naming the option and the path.</summary>
internal static class CliPaths
{
    public static string RequireFile(string? path, string option)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new UsageException($"{option} is required.");
        }

        return File.Exists(path) ? path : throw new UsageException($"{option}: file not found: '{Path.GetFullPath(path)}'.");
    }

    public static string RequireFolder(string? path, string option)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new UsageException($"{option} is required.");
        }

        return Directory.Exists(path) ? path : throw new UsageException($"{option}: folder not found: '{Path.GetFullPath(path)}'.");
    }

    /// <summary>A Hugging Face model folder: it must hold config.json.</summary>
    public static string RequireModelFolder(string? path, string option = "--model")
    {
        RequireFolder(path, option);
        return File.Exists(Path.Combine(path!, "config.json"))
            ? path!
            : throw new UsageException($"{option}: '{Path.GetFullPath(path!)}' is not a model folder (no config.json in it).");
    }

    /// <summary>A PEFT adapter folder: it must hold adapter_config.json.</summary>
    public static string RequireAdapterFolder(string? path, string option = "--adapter")
    {
        RequireFolder(path, option);
        return File.Exists(Path.Combine(path!, "adapter_config.json")) && File.Exists(Path.Combine(path!, PeftModel.WeightsFileName))
            ? path!
            : throw new UsageException($"{option}: '{Path.GetFullPath(path!)}' is not an adapter folder (expected adapter_config.json and {PeftModel.WeightsFileName}).");
    }
}
