using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Peft.Tokenization.Templates;

/// <summary>
/// The chat templates of one model: a single template (named <c>default</c>) or several named ones, as in
/// tokenizer_config.json's list form (<c>[{"name": "default", ...}, {"name": "tool_use", ...}]</c>).
/// Templates are parsed on first use.
/// </summary>
public sealed class ChatTemplateSet
{
    /// <summary>The name of the template used when no name is asked for.</summary>
    public const string DefaultName = "default";

    private readonly Dictionary<string, string> _sources;
    private readonly ConcurrentDictionary<string, ChatTemplate> _parsed = new(StringComparer.Ordinal);

    private ChatTemplateSet(IEnumerable<KeyValuePair<string, string>> sources, string origin)
    {
        _sources = new Dictionary<string, string>(StringComparer.Ordinal);
        var names = new List<string>();
        foreach (var (name, source) in sources)
        {
            if (!_sources.ContainsKey(name))
            {
                names.Add(name);
            }

            _sources[name] = source;
        }

        Names = names;
        Origin = origin;
    }

    /// <summary>Where the templates came from (a file path or a description), for messages.</summary>
    public string Origin { get; }

    /// <summary>The template names in the order they were found.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Whether there is a template named <c>default</c>.</summary>
    public bool HasDefault => _sources.ContainsKey(DefaultName);

    /// <summary>The <c>default</c> template.</summary>
    /// <exception cref="KeyNotFoundException">There is no template named <c>default</c>; the message lists the names.</exception>
    /// <exception cref="ChatTemplateException">The template does not parse.</exception>
    public ChatTemplate Default => Get(DefaultName);

    /// <summary>Creates a set from named template texts.</summary>
    /// <param name="templates">Name and template text pairs.</param>
    /// <param name="origin">Where they came from, for messages.</param>
    /// <returns>The set.</returns>
    /// <exception cref="ArgumentException">No templates were given.</exception>
    public static ChatTemplateSet Create(IEnumerable<KeyValuePair<string, string>> templates, string origin)
    {
        ArgumentNullException.ThrowIfNull(templates);
        var set = new ChatTemplateSet(templates, origin);
        return set.Names.Count == 0 ? throw new ArgumentException($"No chat templates given ({origin}).", nameof(templates)) : set;
    }

    /// <summary>Creates a set holding one template, named <c>default</c>.</summary>
    /// <param name="template">The template text.</param>
    /// <param name="origin">Where it came from, for messages.</param>
    /// <returns>The set.</returns>
    public static ChatTemplateSet Single(string template, string origin) => new([new(DefaultName, template)], origin);

    /// <summary>The text of the template called <paramref name="name"/>.</summary>
    /// <param name="name">A template name.</param>
    /// <returns>The template text.</returns>
    /// <exception cref="KeyNotFoundException">There is no such template; the message lists the names.</exception>
    public string GetSource(string name) =>
        _sources.TryGetValue(name, out var source) ? source : throw NotFound(name);

    /// <summary>The parsed template called <paramref name="name"/>.</summary>
    /// <param name="name">A template name.</param>
    /// <returns>The template.</returns>
    /// <exception cref="KeyNotFoundException">There is no such template; the message lists the names.</exception>
    /// <exception cref="ChatTemplateException">The template does not parse.</exception>
    public ChatTemplate Get(string name) =>
        TryGet(name, out var template) ? template : throw NotFound(name);

    /// <summary>The parsed template called <paramref name="name"/>, if there is one.</summary>
    /// <param name="name">A template name.</param>
    /// <param name="template">The template, or null.</param>
    /// <returns>Whether the set has such a template.</returns>
    /// <exception cref="ChatTemplateException">The template exists but does not parse.</exception>
    public bool TryGet(string name, [NotNullWhen(true)] out ChatTemplate? template)
    {
        if (!_sources.TryGetValue(name, out var source))
        {
            template = null;
            return false;
        }

        template = _parsed.GetOrAdd(name, n => ChatTemplate.Parse(source, n));
        return true;
    }

    /// <summary>
    /// Chooses a template as transformers' <c>get_chat_template</c> does: the named one when a name is given;
    /// otherwise <c>tool_use</c> when tools are passed and the set has it, else <c>default</c>.
    /// </summary>
    /// <param name="name">The template to use, or null to choose automatically.</param>
    /// <param name="hasTools">Whether the conversation is rendered with tools.</param>
    /// <returns>The template.</returns>
    /// <exception cref="KeyNotFoundException">The named template, or a default, does not exist; the message lists the names.</exception>
    /// <exception cref="ChatTemplateException">The template does not parse.</exception>
    public ChatTemplate Select(string? name = null, bool hasTools = false)
    {
        if (name is not null)
        {
            return Get(name);
        }

        if (hasTools && TryGet("tool_use", out var toolUse))
        {
            return toolUse;
        }

        if (HasDefault)
        {
            return Default;
        }

        throw new KeyNotFoundException(
            $"This model has multiple chat templates with no default specified ({Origin}); pass the name of the template to use. Available template names are {FormatNames()}.");
    }

    private KeyNotFoundException NotFound(string name) =>
        new($"No chat template named '{name}' in {Origin}. Available template names are {FormatNames()}.");

    private string FormatNames() => "[" + string.Join(", ", Names.Order(StringComparer.Ordinal).Select(n => $"'{n}'")) + "]";
}
