using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Peft.Cli.Infrastructure;
using Peft.Runtime;

namespace Peft.Cli.Commands.Train;

/// <summary>
/// A <c>--config</c> JSON file: an object whose fields are option names without dashes, with '-' written as '_'
/// (<c>lora_r</c>, <c>max_steps</c>, <c>target_modules</c>). Unknown fields and values of the wrong type are bad usage.
/// </summary>
internal sealed class ConfigFile
{
    private readonly Dictionary<string, JsonElement> _fields;

    private ConfigFile(string path, Dictionary<string, JsonElement> fields)
    {
        Path = path;
        _fields = fields;
    }

    public string Path { get; }

    /// <summary>The config field name of an option: <c>--max-steps</c> → <c>max_steps</c>.</summary>
    public static string FieldName(Option option) => option.Name.TrimStart('-').Replace('-', '_');

    /// <summary>Reads the file and rejects fields that name no option.</summary>
    /// <exception cref="UsageException">The file is missing, not a JSON object, or has unknown fields (all listed).</exception>
    public static ConfigFile Load(string path, IEnumerable<Option> options)
    {
        CliPaths.RequireFile(path, "--config");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new UsageException($"--config {path}: not valid JSON ({ex.Message}).", ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new UsageException($"--config {path}: expected a JSON object of option names and values; found {document.RootElement.ValueKind}.");
            }

            var known = options.Select(FieldName).ToHashSet(StringComparer.Ordinal);
            var fields = document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
            var unknown = fields.Keys.Where(k => !known.Contains(k)).ToList();
            if (unknown.Count > 0)
            {
                throw new UsageException(
                    $"--config {path}: unknown field{(unknown.Count > 1 ? "s" : string.Empty)} {string.Join(", ", unknown.Select(u => $"'{u}'"))}; "
                    + $"the fields are the option names with '_' for '-': {string.Join(", ", known.Order(StringComparer.Ordinal))}.");
            }

            return new ConfigFile(path, fields);
        }
    }

    /// <summary>The value of an option's field, converted to the option's type.</summary>
    /// <exception cref="UsageException">The value has the wrong JSON type or is out of the type's range.</exception>
    public bool TryGet<T>(Option<T> option, out T value)
    {
        var name = FieldName(option);
        if (!_fields.TryGetValue(name, out var element))
        {
            value = default!;
            return false;
        }

        value = (T)Convert(element, typeof(T), name)!;
        return true;
    }

    private object? Convert(JsonElement e, Type type, string name)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (e.ValueKind == JsonValueKind.Null && (Nullable.GetUnderlyingType(type) is not null || !type.IsValueType))
        {
            return null;
        }

        try
        {
            if (target == typeof(string))
            {
                return e.ValueKind == JsonValueKind.String ? e.GetString() : throw Wrong(name, "a string", e);
            }

            if (target == typeof(bool))
            {
                return e.ValueKind is JsonValueKind.True or JsonValueKind.False ? e.GetBoolean() : throw Wrong(name, "true or false", e);
            }

            if (target == typeof(int))
            {
                return e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var i) ? i : throw Wrong(name, "an integer", e);
            }

            if (target == typeof(long))
            {
                return e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var l) ? l : throw Wrong(name, "an integer", e);
            }

            if (target == typeof(double))
            {
                return e.ValueKind == JsonValueKind.Number ? e.GetDouble() : throw Wrong(name, "a number", e);
            }

            if (target == typeof(string[]))
            {
                return e.ValueKind switch
                {
                    JsonValueKind.String => new[] { e.GetString()! },
                    JsonValueKind.Array when e.EnumerateArray().All(x => x.ValueKind == JsonValueKind.String) =>
                        e.EnumerateArray().Select(x => x.GetString()!).ToArray(),
                    _ => throw Wrong(name, "a string or a list of strings", e),
                };
            }

            if (target == typeof(DeviceOption))
            {
                return e.ValueKind == JsonValueKind.String ? DeviceOption.Parse(e.GetString()!) : throw Wrong(name, "a string such as \"cpu\"", e);
            }
        }
        catch (FormatException ex)
        {
            throw new UsageException($"--config {Path}: field '{name}': {ex.Message}", ex);
        }

        throw new InvalidOperationException($"Config field '{name}' has an unsupported option type {type.Name}.");
    }

    private UsageException Wrong(string name, string expected, JsonElement found) =>
        new($"--config {Path}: field '{name}': expected {expected}; found {found.ValueKind.ToString().ToLower(CultureInfo.InvariantCulture)} {found.GetRawText()}.");
}
