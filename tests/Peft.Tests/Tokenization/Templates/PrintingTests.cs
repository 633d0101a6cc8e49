using FluentAssertions;
using Peft.Tokenization.Templates;
using Xunit;

namespace Peft.Tests.Tokenization.Templates;

/// <summary>Values print as Python's str(): None, True, float repr, list/dict/tuple repr, undefined as empty.</summary>
/// <remarks>Expected outputs are written from Jinja2's documented semantics (and were cross-checked against Jinja2 3.1 with
/// transformers' environment settings while writing them).</remarks>
public sealed class PrintingTests
{
    public static TheoryData<string, string, string?, string> Cases() => new()
    {
        { "None prints as None", "{{ none }}|{{ None }}", null, "None|None" },
        { "booleans print capitalized", "{{ true }}|{{ False }}", null, "True|False" },
        { "floats print like Python repr", "{{ 1.0 }} {{ 10 / 4 }} {{ 0.1 + 0.2 }} {{ 1e20 }} {{ 1.5e-7 }} {{ 123456789.0 }} {{ 1e16 }} {{ 0.0001 }}", null, "1.0 2.5 0.30000000000000004 1e+20 1.5e-07 123456789.0 1e+16 0.0001" },
        { "integers print as integers", "{{ 42 }} {{ -7 }} {{ 1_000 }} {{ 0x1f }}", null, "42 -7 1000 31" },
        { "lists print like Python", "{{ ['a', 1, none, true, 2.5] }}", null, "['a', 1, None, True, 2.5]" },
        { "dicts print like Python in insertion order", "{{ {'b': 1, 'a': [1, 2]} }}", null, "{'b': 1, 'a': [1, 2]}" },
        { "tuples print with parentheses", "{{ (1,) }} {{ (1, 'x') }} {{ () }}", null, "(1,) (1, 'x') ()" },
        { "string repr picks quotes like Python", "{{ [\"it's\", 'say \"hi\"', 'both \\' and \"', 'tab\\tnew\\nline'] }}", null, "[\"it's\", 'say \"hi\"', 'both \\' and \"', 'tab\\tnew\\nline']" },
        { "undefined prints as empty", "[{{ nothing }}][{{ messages[0].nothing }}]", "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "[][]" },
        { "string escapes are decoded", "{{ 'a\\tb\\\\c\\'d\\\"e\\x41\\u00e9\\U0001F600' }}", null, "a\tb\\c'd\"eAé😀" },
        { "adjacent string literals concatenate", "{{ 'a' 'b' \"c\" }}", null, "abc" },
        { "dict values from JSON keep their types", "{{ data }}", "{\"data\": {\"i\": 1, \"f\": 1.0, \"s\": \"x\", \"n\": null, \"b\": false, \"l\": [1.5]}}", "{'i': 1, 'f': 1.0, 's': 'x', 'n': None, 'b': False, 'l': [1.5]}" },
        { "print of a tuple expression", "{{ 1, 2 }}", null, "(1, 2)" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Renders(string description, string template, string? context, string expected) =>
        TemplateTestHelper.Render(template, context).Should().Be(expected, description);
}
