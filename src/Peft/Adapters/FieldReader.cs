using System.Text.Json;

namespace Peft.Adapters;

/// <summary>Typed access to the fields of a JSON object; a value of the wrong type throws a <see cref="LoraConfigException"/> naming the field.</summary>
internal sealed class FieldReader
{
    private readonly JsonElement _root;
    private readonly string _source;

    public FieldReader(JsonElement root, string source)
    {
        _root = root;
        _source = source;
    }

    private JsonElement? Get(string name) =>
        _root.TryGetProperty(name, out var e) && e.ValueKind != JsonValueKind.Null ? e : null;

    private LoraConfigException Wrong(string name, string expected, JsonElement found) =>
        new(_source, name, $"expected {expected}; found {Describe(found)}.");

    private static string Describe(JsonElement e)
    {
        var text = e.GetRawText();
        return text.Length > 80 ? text[..80] + "…" : text;
    }

    public string? String(string name) => Get(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } e => e.GetString(),
        var e => throw Wrong(name, "a string", e!.Value),
    };

    public bool? Bool(string name) => Get(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        var e => throw Wrong(name, "true or false", e!.Value),
    };

    public int? Int(string name) => Get(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Number } e when e.TryGetInt32(out var v) => v,
        var e => throw Wrong(name, "an integer", e!.Value),
    };

    public double? Number(string name) => Get(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Number } e => e.GetDouble(),
        var e => throw Wrong(name, "a number", e!.Value),
    };

    /// <summary>PEFT's <c>Union[bool, str]</c> fields, returned as <c>"true"</c>, <c>"false"</c> or the string.</summary>
    public string? BoolOrString(string name) => Get(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.True } => "true",
        { ValueKind: JsonValueKind.False } => "false",
        { ValueKind: JsonValueKind.String } e => e.GetString(),
        var e => throw Wrong(name, "true, false or a string", e!.Value),
    };

    /// <summary>PEFT's <c>Union[list[str], str]</c> fields: the list, or the string.</summary>
    public (IReadOnlyList<string>? List, string? Text) StringOrList(string name)
    {
        var e = Get(name);
        if (e is null)
        {
            return (null, null);
        }

        if (e.Value.ValueKind == JsonValueKind.String)
        {
            return (null, e.Value.GetString());
        }

        return (StringList(name), null);
    }

    public IReadOnlyList<string>? StringList(string name)
    {
        var e = Get(name);
        if (e is null)
        {
            return null;
        }

        if (e.Value.ValueKind != JsonValueKind.Array || e.Value.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String))
        {
            throw Wrong(name, "a list of strings", e.Value);
        }

        return e.Value.EnumerateArray().Select(x => x.GetString()!).ToList();
    }

    /// <summary>PEFT's <c>Union[list[int], int]</c> fields, as a list.</summary>
    public IReadOnlyList<int>? IntOrList(string name)
    {
        var e = Get(name);
        if (e is null)
        {
            return null;
        }

        if (e.Value.ValueKind == JsonValueKind.Number && e.Value.TryGetInt32(out var single))
        {
            return new[] { single };
        }

        if (e.Value.ValueKind != JsonValueKind.Array ||
            e.Value.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.Number || !x.TryGetInt32(out _)))
        {
            throw Wrong(name, "an integer or a list of integers", e.Value);
        }

        return e.Value.EnumerateArray().Select(x => x.GetInt32()).ToList();
    }

    /// <summary>A string-keyed object whose values <paramref name="convert"/> accepts (null = wrong type).</summary>
    public IReadOnlyDictionary<string, T> Map<T>(string name, Func<JsonElement, T?> convert, string valueDescription)
        where T : struct
    {
        var result = new Dictionary<string, T>(StringComparer.Ordinal);
        var e = Get(name);
        if (e is null)
        {
            return result;
        }

        if (e.Value.ValueKind != JsonValueKind.Object)
        {
            throw Wrong(name, $"an object mapping module patterns to {valueDescription}", e.Value);
        }

        foreach (var property in e.Value.EnumerateObject())
        {
            result[property.Name] = convert(property.Value)
                ?? throw new LoraConfigException(_source, name, $"value for '{property.Name}' must be {valueDescription}; found {Describe(property.Value)}.");
        }

        return result;
    }
}
