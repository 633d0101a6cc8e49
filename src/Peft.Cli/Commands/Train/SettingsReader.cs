using System.CommandLine;
using Peft.Cli.Infrastructure;

namespace Peft.Cli.Commands.Train;

/// <summary>Option values with their precedence: the command line, then the <c>--config</c> file, then the option's default.</summary>
internal sealed class SettingsReader
{
    private readonly CliContext _context;
    private readonly ConfigFile? _config;

    public SettingsReader(CliContext context, ConfigFile? config)
    {
        _context = context;
        _config = config;
    }

    public T Get<T>(Option<T> option)
    {
        if (_context.Given(option))
        {
            return _context.Get(option)!;
        }

        return _config is not null && _config.TryGet(option, out var value) ? value : _context.Get(option)!;
    }

    /// <summary>A string option restricted to <paramref name="allowed"/> (checked here too, for values from the config file).</summary>
    public string Choice(Option<string> option, params string[] allowed)
    {
        var value = Get(option);
        return allowed.Contains(value, StringComparer.Ordinal)
            ? value
            : throw new UsageException($"{option.Name}: expected one of {string.Join(", ", allowed)}; found '{value}'.");
    }

    /// <summary><c>--resume</c>: null when absent, "latest" when given without a value.</summary>
    public string? Resume(Option<string?> option)
    {
        if (_context.Parse.GetResult(option) is { Implicit: false } result)
        {
            return result.Tokens.Count > 0 ? result.Tokens[0].Value : "latest";
        }

        return _config is not null && _config.TryGet(option, out var value) ? value : null;
    }

    /// <summary>A required path: from the command line or the config file.</summary>
    public string Required(Option<string> option)
    {
        var value = Get(option);
        return string.IsNullOrWhiteSpace(value)
            ? throw new UsageException($"{option.Name} is required (on the command line or as \"{ConfigFile.FieldName(option)}\" in --config).")
            : value;
    }
}
