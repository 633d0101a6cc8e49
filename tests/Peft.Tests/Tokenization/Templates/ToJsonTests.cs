using FluentAssertions;
using Peft.Tokenization.Templates;
using Xunit;

namespace Peft.Tests.Tokenization.Templates;

/// <summary>tojson as transformers defines it: json.dumps(ensure_ascii=False) with indent, separators, sort_keys.</summary>
/// <remarks>Expected outputs are written from Jinja2's documented semantics (and were cross-checked against Jinja2 3.1 with
/// transformers' environment settings while writing them).</remarks>
public sealed class ToJsonTests
{
    public static TheoryData<string, string, string?, string> Cases() => new()
    {
        { "compact separators", "{{ {'a': [1, 2.5, 'x', none, true]} | tojson }}", null, "{\"a\": [1, 2.5, \"x\", null, true]}" },
        { "non-ASCII is kept and quotes escaped", "{{ 'Ünïcödé \"q\" ✓\n\t\\\\ 😀' | tojson }}", null, "\"Ünïcödé \\\"q\\\" ✓\\n\\t\\\\ 😀\"" },
        { "indent", "{{ {'a': [1, {'b': 2}], 'c': {}, 'd': []} | tojson(indent=4) }}", null, "{\n    \"a\": [\n        1,\n        {\n            \"b\": 2\n        }\n    ],\n    \"c\": {},\n    \"d\": []\n}" },
        { "indent with a string and sort_keys", "{{ {'b': 1, 'a': 2} | tojson(indent='\t', sort_keys=true) }}", null, "{\n\t\"a\": 2,\n\t\"b\": 1\n}" },
        { "ensure_ascii and separators", "{{ {'é': 'ü'} | tojson(ensure_ascii=true) }} {{ {'a': [1, 2]} | tojson(separators=(',', ':')) }}", null, "{\"\\u00e9\": \"\\u00fc\"} {\"a\":[1,2]}" },
        { "HTML characters are not escaped", "{{ '<tag> & \\'x\\'' | tojson }}", null, "\"<tag> & 'x'\"" },
        { "floats and tuples", "{{ [1.0, 1e20, 0.1, (1, 2)] | tojson }}", null, "[1.0, 1e+20, 0.1, [1, 2]]" },
        { "JSON input round-trips", "{{ tool | tojson }}", "{\"tool\": {\"name\": \"get_weather\", \"parameters\": {\"type\": \"object\", \"required\": [\"city\"], \"max\": 1.5e3}}}", "{\"name\": \"get_weather\", \"parameters\": {\"type\": \"object\", \"required\": [\"city\"], \"max\": 1500.0}}" },
        { "control characters use unicode escapes", "{{ '\\x01\\x1f\\x7f' | tojson }}", null, "\"\\u0001\\u001f\u007f\"" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Renders(string description, string template, string? context, string expected) =>
        TemplateTestHelper.Render(template, context).Should().Be(expected, description);
}
