using System.Text.Json;

namespace Peft.Tokenization.Loading;

/// <summary>A JSON value together with its file and JSON path, so every error can say exactly where it is.</summary>
internal readonly struct JsonCursor
{
    public JsonCursor(string file, string path, JsonElement element)
    {
        File = file;
        Path = path;
        Element = element;
    }

    public string File { get; }
    public string Path { get; }
    public JsonElement Element { get; }
    public JsonValueKind Kind => Element.ValueKind;
    public bool IsNull => Kind is JsonValueKind.Null or JsonValueKind.Undefined;

    /// <summary>Parses a whole file.</summary>
    /// <exception cref="TokenizerFormatException">The file is not valid JSON (the message gives line and byte).</exception>
    public static JsonDocument ParseFile(string file)
    {
        try
        {
            using var stream = System.IO.File.OpenRead(file);
            return JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $"line {line + 1}, byte {e.BytePositionInLine + 1}" : null;
            throw new TokenizerFormatException(file, where, $"not valid JSON ({e.Message})", e);
        }
    }

    public static JsonCursor Root(string file, JsonDocument document) => new(file, "$", document.RootElement);

    public TokenizerFormatException Error(string problem) => new(File, Path, problem);

    /// <summary>The property <paramref name="name"/> when present and not null.</summary>
    public JsonCursor? Optional(string name)
    {
        RequireKind(JsonValueKind.Object, "an object");
        return Element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? new JsonCursor(File, Child(name), value)
            : null;
    }

    /// <exception cref="TokenizerFormatException">The property is missing or null.</exception>
    public JsonCursor Required(string name) =>
        Optional(name) ?? throw new TokenizerFormatException(File, Child(name), "required field is missing");

    public string GetString()
    {
        RequireKind(JsonValueKind.String, "a string");
        return Element.GetString()!;
    }

    public int GetInt32()
    {
        if (Kind != JsonValueKind.Number || !Element.TryGetInt32(out var value))
        {
            throw Error($"expected a 32-bit integer; found {Describe()}");
        }

        return value;
    }

    public bool GetBoolean()
    {
        if (Kind is not (JsonValueKind.True or JsonValueKind.False))
        {
            throw Error($"expected true or false; found {Describe()}");
        }

        return Element.GetBoolean();
    }

    public string? OptionalString(string name) => Optional(name)?.GetString();

    public bool OptionalBoolean(string name, bool fallback) => Optional(name)?.GetBoolean() ?? fallback;

    public int OptionalInt32(string name, int fallback) => Optional(name)?.GetInt32() ?? fallback;

    public IEnumerable<JsonCursor> Items()
    {
        RequireKind(JsonValueKind.Array, "an array");
        var index = 0;
        foreach (var item in Element.EnumerateArray())
        {
            yield return new JsonCursor(File, $"{Path}[{index++}]", item);
        }
    }

    public IEnumerable<(string Name, JsonCursor Value)> Properties()
    {
        RequireKind(JsonValueKind.Object, "an object");
        foreach (var property in Element.EnumerateObject())
        {
            yield return (property.Name, new JsonCursor(File, Child(property.Name), property.Value));
        }
    }

    public void RequireKind(JsonValueKind kind, string what)
    {
        if (Kind != kind)
        {
            throw Error($"expected {what}; found {Describe()}");
        }
    }

    /// <summary>A short description of the value for error messages: its kind and, when short, its text.</summary>
    public string Describe()
    {
        var raw = Element.ValueKind == JsonValueKind.Undefined ? "nothing" : Element.GetRawText();
        var kind = Kind switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.Number => "number",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Null => "null",
            JsonValueKind.Array => "array",
            JsonValueKind.Object => "object",
            _ => "nothing",
        };
        return raw.Length <= 60 ? $"{kind} {raw}" : $"{kind} {raw[..57]}...";
    }

    private string Child(string name) =>
        name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') && name.Length > 0 && !char.IsAsciiDigit(name[0])
            ? $"{Path}.{name}"
            : $"{Path}['{name.Replace("'", "\\'", StringComparison.Ordinal)}']";
}
