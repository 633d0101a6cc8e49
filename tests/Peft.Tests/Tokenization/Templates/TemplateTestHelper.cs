using System.Text.Json;
using Peft.Tokenization.Templates;

namespace Peft.Tests.Tokenization.Templates;

/// <summary>Renders a template source with a context given as a JSON object (null for an empty context).</summary>
internal static class TemplateTestHelper
{
    public static string Render(string template, string? contextJson, ChatTemplateRenderOptions? options = null)
    {
        var context = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (contextJson is not null)
        {
            using var doc = JsonDocument.Parse(contextJson);
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                context[property.Name] = property.Value.Clone();
            }
        }

        return ChatTemplate.Parse(template).Render(context, options);
    }
}
