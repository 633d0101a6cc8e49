using System.Text.Json;

namespace Peft.Tokenization.Templates;

/// <summary>
/// Finds a model's chat templates where Hugging Face stores them: <c>chat_template.jinja</c> (plus
/// <c>additional_chat_templates/*.jinja</c> for named ones), the <c>chat_template</c> key of
/// <c>tokenizer_config.json</c> (a string, or a list of <c>{"name", "template"}</c> objects), or the
/// <c>chat_template</c> key of <c>chat_template.json</c>; in that order of precedence.
/// </summary>
public static class ChatTemplates
{
    /// <summary>The tokenizer configuration file.</summary>
    public const string TokenizerConfigFileName = "tokenizer_config.json";

    /// <summary>The stand-alone template file newer transformers versions write.</summary>
    public const string JinjaFileName = "chat_template.jinja";

    /// <summary>The folder of named templates beside <see cref="JinjaFileName"/>.</summary>
    public const string AdditionalTemplatesFolder = "additional_chat_templates";

    /// <summary>The processor-style template file (<c>{"chat_template": ...}</c>).</summary>
    public const string JsonFileName = "chat_template.json";

    /// <summary>The key that holds the template in the JSON files.</summary>
    public const string ConfigKey = "chat_template";

    /// <summary>Loads the chat templates of a model folder.</summary>
    /// <param name="directory">A Hugging Face model or tokenizer folder.</param>
    /// <returns>The templates.</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">The folder has no chat template; the message lists what was looked for.</exception>
    /// <exception cref="InvalidDataException">A file is malformed; the message names the file and key.</exception>
    public static ChatTemplateSet FromModelFolder(string directory) =>
        FindInModelFolder(directory) ?? throw new FileNotFoundException(
            $"No chat template found in '{directory}': looked for {JinjaFileName}, the \"{ConfigKey}\" key of {TokenizerConfigFileName}, and the \"{ConfigKey}\" key of {JsonFileName}.",
            Path.Combine(directory, JinjaFileName));

    /// <summary>Loads the chat templates of a model folder, or returns null when it has none.</summary>
    /// <param name="directory">A Hugging Face model or tokenizer folder.</param>
    /// <returns>The templates, or null.</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">A file is malformed; the message names the file and key.</exception>
    public static ChatTemplateSet? FindInModelFolder(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Model folder '{directory}' does not exist.");
        }

        var jinja = Path.Combine(directory, JinjaFileName);
        if (File.Exists(jinja))
        {
            var templates = new List<KeyValuePair<string, string>> { new(ChatTemplateSet.DefaultName, File.ReadAllText(jinja)) };
            var extra = Path.Combine(directory, AdditionalTemplatesFolder);
            if (Directory.Exists(extra))
            {
                foreach (var file in Directory.GetFiles(extra, "*.jinja").Order(StringComparer.Ordinal))
                {
                    templates.Add(new(Path.GetFileNameWithoutExtension(file), File.ReadAllText(file)));
                }
            }

            return ChatTemplateSet.Create(templates, jinja);
        }

        foreach (var file in new[] { TokenizerConfigFileName, JsonFileName })
        {
            var path = Path.Combine(directory, file);
            if (File.Exists(path) && ReadConfig(path) is { } set)
            {
                return set;
            }
        }

        return null;
    }

    /// <summary>Loads the chat templates from a tokenizer_config.json (or chat_template.json) file.</summary>
    /// <param name="path">The JSON file.</param>
    /// <returns>The templates.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="KeyNotFoundException">The file has no <c>chat_template</c> key.</exception>
    /// <exception cref="InvalidDataException">The file is not JSON, or the key holds neither a string nor a list of
    /// <c>{"name", "template"}</c> objects.</exception>
    public static ChatTemplateSet FromTokenizerConfig(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Tokenizer configuration '{path}' does not exist.", path);
        }

        return ReadConfig(path) ?? throw new KeyNotFoundException($"'{path}' has no \"{ConfigKey}\" key (or it is null), so the model has no chat template there.");
    }

    /// <summary>Reads the <c>chat_template</c> key of an already-parsed tokenizer configuration.</summary>
    /// <param name="tokenizerConfig">The root object of tokenizer_config.json.</param>
    /// <param name="origin">Where the JSON came from, for messages (for example its path).</param>
    /// <returns>The templates, or null when the key is absent or null.</returns>
    /// <exception cref="InvalidDataException">The key holds neither a string nor a list of <c>{"name", "template"}</c> objects.</exception>
    public static ChatTemplateSet? FindInTokenizerConfig(JsonElement tokenizerConfig, string origin)
    {
        if (tokenizerConfig.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{origin}: expected a JSON object at the root; found {tokenizerConfig.ValueKind}.");
        }

        if (!tokenizerConfig.TryGetProperty(ConfigKey, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            return ChatTemplateSet.Single(value.GetString()!, origin);
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"{origin}: \"{ConfigKey}\" must be a string or a list of {{\"name\", \"template\"}} objects; found {value.ValueKind}.");
        }

        var templates = new List<KeyValuePair<string, string>>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object
                || !item.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String
                || !item.TryGetProperty("template", out var template) || template.ValueKind != JsonValueKind.String)
            {
                throw new InvalidDataException($"{origin}: \"{ConfigKey}\"[{index}] must be an object with string \"name\" and \"template\"; found {Shorten(item.GetRawText())}.");
            }

            templates.Add(new(name.GetString()!, template.GetString()!));
            index++;
        }

        if (templates.Count == 0)
        {
            throw new InvalidDataException($"{origin}: \"{ConfigKey}\" is an empty list.");
        }

        return ChatTemplateSet.Create(templates, origin);
    }

    private static ChatTemplateSet? ReadConfig(string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            return FindInTokenizerConfig(document.RootElement, path);
        }
    }

    private static string Shorten(string s) => s.Length > 100 ? s[..97] + "..." : s;
}
