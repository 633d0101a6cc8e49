using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Peft.Tokenization.Templates.Runtime;

/// <summary>
/// Turns .NET values into template values the way Python sees the same data loaded from JSON: strings, booleans,
/// integers (<c>int</c>), floating-point numbers (<c>float</c>), null (<c>None</c>), dictionaries (insertion-ordered
/// <c>dict</c>), sequences (<c>list</c>), <see cref="JsonElement"/>/<see cref="JsonNode"/> and <see cref="ChatMessage"/>.
/// </summary>
internal static class ValueConverter
{
    /// <summary>Converts a .NET value; <paramref name="path"/> names it in the error for an unsupported type.</summary>
    public static object? FromClr(object? value, string path)
    {
        try
        {
            return Convert(value);
        }
        catch (UnsupportedValueException e)
        {
            throw new ArgumentException(
                $"Chat template context value '{path}{e.Path}' has type {e.TypeName}, which has no template equivalent; " +
                "use strings, numbers, booleans, null, dictionaries, lists, ChatMessage, JsonElement or JsonNode.",
                nameof(value));
        }
    }

    private static object? Within(object? value, string segment)
    {
        try
        {
            return Convert(value);
        }
        catch (UnsupportedValueException e)
        {
            throw new UnsupportedValueException(e.TypeName, segment + e.Path);
        }
    }

    private static object? Convert(object? value)
    {
        switch (value)
        {
            case null:
                return null;
            case string s:
                return s;
            case bool b:
                return b;
            case int or long or short or sbyte or byte or ushort or uint:
                return System.Convert.ToInt64(value, CultureInfo.InvariantCulture);
            case ulong u:
                return u <= long.MaxValue ? (long)u : (double)u;
            case double d:
                return d;
            case float f:
                return (double)f;
            case decimal m:
                return decimal.Truncate(m) == m && m >= long.MinValue && m <= long.MaxValue ? (long)m : (double)m;
            case char c:
                return c.ToString();
            case JsonElement element:
                return FromJson(element);
            case JsonNode node:
                return FromJsonNode(node);
            case ChatMessage message:
                return FromMessage(message);
            case PyList or PyDict or PyNamespace or Undefined or PyGenerator or PyCallable or PyRange:
                return value;
            case IReadOnlyDictionary<string, object?> readOnly:
                var fromReadOnly = new PyDict(readOnly.Count);
                foreach (var (k, v) in readOnly)
                {
                    fromReadOnly.Set(k, Within(v, "." + k));
                }

                return fromReadOnly;
            case IDictionary dictionary:
                var dict = new PyDict(dictionary.Count);
                foreach (DictionaryEntry entry in dictionary)
                {
                    dict.Set(Convert(entry.Key), Within(entry.Value, "." + entry.Key));
                }

                return dict;
            case IEnumerable sequence:
                var list = new List<object?>();
                foreach (var item in sequence)
                {
                    list.Add(Within(item, $"[{list.Count}]"));
                }

                return new PyList(list);
            default:
                throw new UnsupportedValueException(value.GetType().FullName ?? value.GetType().Name, "");
        }
    }

    public static PyDict FromMessage(ChatMessage message)
    {
        var dict = new PyDict(2 + (message.Extra?.Count ?? 0));
        dict.Set("role", message.Role);
        dict.Set("content", message.Content);
        if (message.Extra is not null)
        {
            foreach (var (k, v) in message.Extra)
            {
                dict.Set(k, Within(v, "." + k));
            }
        }

        return dict;
    }

    public static object? FromJson(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return element.GetString();
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            case JsonValueKind.Null or JsonValueKind.Undefined:
                return null;
            case JsonValueKind.Number:
                return Number(element.GetRawText(), element);
            case JsonValueKind.Array:
                var list = new List<object?>(element.GetArrayLength());
                foreach (var item in element.EnumerateArray())
                {
                    list.Add(FromJson(item));
                }

                return new PyList(list);
            default:
                var dict = new PyDict();
                foreach (var property in element.EnumerateObject())
                {
                    dict.Set(property.Name, FromJson(property.Value));
                }

                return dict;
        }
    }

    public static object? FromJsonNode(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonArray array:
                var list = new List<object?>(array.Count);
                foreach (var item in array)
                {
                    list.Add(FromJsonNode(item));
                }

                return new PyList(list);
            case JsonObject obj:
                var dict = new PyDict(obj.Count);
                foreach (var (k, v) in obj)
                {
                    dict.Set(k, FromJsonNode(v));
                }

                return dict;
            default:
                var value = (JsonValue)node;
                if (value.TryGetValue<JsonElement>(out var element))
                {
                    return FromJson(element);
                }

                return value.TryGetValue<object>(out var clr) ? Convert(clr) : null;
        }
    }

    /// <summary>Like Python's json module: integer text gives an int, text with a fraction or exponent a float.</summary>
    private static object Number(string raw, JsonElement element)
    {
        if (raw.AsSpan().IndexOfAny('.', 'e', 'E') < 0 && element.TryGetInt64(out var l))
        {
            return l;
        }

        return element.GetDouble();
    }

    private sealed class UnsupportedValueException(string typeName, string path) : Exception
    {
        public string TypeName { get; } = typeName;

        public string Path { get; } = path;
    }
}
