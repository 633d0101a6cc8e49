using FluentAssertions;
using Peft.Tokenization.Templates;
using Xunit;

namespace Peft.Tests.Tokenization.Templates;

/// <summary>Indexing, slicing (negative steps), attribute syntax on dicts, undefined on a miss.</summary>
/// <remarks>Expected outputs are written from Jinja2's documented semantics (and were cross-checked against Jinja2 3.1 with
/// transformers' environment settings while writing them).</remarks>
public sealed class SubscriptTests
{
    public static TheoryData<string, string, string?, string> Cases() => new()
    {
        { "negative indexes", "{{ [1, 2, 3][-1] }} {{ 'abc'[-2] }}", null, "3 b" },
        { "slices including negative steps", "{{ [1, 2, 3, 4][1:] }} {{ [1, 2, 3, 4][:-1] }} {{ [1, 2, 3, 4][::-1] }} {{ [1, 2, 3, 4][::2] }} {{ 'hello'[::-1] }} {{ 'hello'[1:3] }} {{ [1, 2, 3, 4][-1:0:-2] }}", null, "[2, 3, 4] [1, 2, 3] [4, 3, 2, 1] [1, 3] olleh el [4, 2]" },
        { "slice bounds from expressions", "{% set n = 2 %}{{ [1, 2, 3, 4][n:] }} {{ 'abcdef'[n:n + 2] }}", null, "[3, 4] cd" },
        { "attribute syntax reads dict keys", "{{ m.role }} {{ m['content'] }} {{ m.tool_calls }}|", "{\"m\": {\"role\": \"user\", \"content\": \"hi\"}}", "user hi |" },
        { "out-of-range index is undefined", "[{{ [1][5] }}] {{ [1][5] is defined }}", null, "[] False" },
        { "dot-integer indexes", "{{ items.0 }}", "{\"items\": [\"first\", \"second\"]}", "first" },
        { "string indexing counts code points", "{{ s[1] }} {{ s | length }} {{ s[::-1] }}", "{\"s\": \"a😀b\"}", "😀 3 b😀a" },
        { "indexing None yields undefined", "[{{ none[0] }}]", null, "[]" },
        { "dict methods win over keys for attribute syntax", "{{ d.items() | list }} {{ d['items'] }}", "{\"d\": {\"items\": 5}}", "[('items', 5)] 5" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Renders(string description, string template, string? context, string expected) =>
        TemplateTestHelper.Render(template, context).Should().Be(expected, description);
}
