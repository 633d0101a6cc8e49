using FluentAssertions;
using Peft.Tokenization.Templates;
using Xunit;

namespace Peft.Tests.Tokenization.Templates;

/// <summary>if/elif/else, set (plain, tuple, block), filter blocks, with, generation.</summary>
/// <remarks>Expected outputs are written from Jinja2's documented semantics (and were cross-checked against Jinja2 3.1 with
/// transformers' environment settings while writing them).</remarks>
public sealed class StatementTests
{
    public static TheoryData<string, string, string?, string> Cases() => new()
    {
        { "if elif else", "{% for n in [1, 2, 3] %}{% if n == 1 %}one{% elif n == 2 %}two{% else %}many{% endif %} {% endfor %}", null, "one two many " },
        { "set at top level is visible later and inside if", "{% if true %}{% set x = 'in' %}{% endif %}{{ x }}", null, "in" },
        { "set with tuple unpacking", "{% set a, b = 1, 2 %}{{ a }}{{ b }}", null, "12" },
        { "block set captures output", "{% set x %}a{{ 1 + 1 }}{% endset %}[{{ x }}]", null, "[a2]" },
        { "block set with a filter", "{% set x | upper %}abc{% endset %}{{ x }}", null, "ABC" },
        { "filter block", "{% filter upper %}hello {{ 'x' }}{% endfilter %}", null, "HELLO X" },
        { "with block scopes its variables", "{% set a = 1 %}{% with a = 2, b = 3 %}{{ a }}{{ b }}{% endwith %}{{ a }}", null, "231" },
        { "generation block renders its content", "{% generation %}gen {{ 1 }}{% endgeneration %}", null, "gen 1" },
        { "reassigning a context variable", "{% set messages = messages[1:] %}{{ messages | length }}", "{\"messages\": [1, 2, 3]}", "2" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Renders(string description, string template, string? context, string expected) =>
        TemplateTestHelper.Render(template, context).Should().Be(expected, description);
}
