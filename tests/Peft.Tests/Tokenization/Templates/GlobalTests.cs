using FluentAssertions;
using Peft.Tokenization.Templates;
using Xunit;

namespace Peft.Tests.Tokenization.Templates;

/// <summary>Globals: namespace(), dict(), cycler(), joiner().</summary>
/// <remarks>Expected outputs are written from Jinja2's documented semantics (and were cross-checked against Jinja2 3.1 with
/// transformers' environment settings while writing them).</remarks>
public sealed class GlobalTests
{
    public static TheoryData<string, string, string?, string> Cases() => new()
    {
        { "namespace attribute assignment and reading", "{% set ns = namespace(a=1) %}{% set ns.b = ns.a + 1 %}{{ ns.a }}{{ ns.b }} {{ ns }}", null, "12 <Namespace {'a': 1, 'b': 2}>" },
        { "namespace from a dict", "{% set ns = namespace({'x': 5}) %}{{ ns.x }}", null, "5" },
        { "dict global", "{{ dict(a=1, b='x') }}", null, "{'a': 1, 'b': 'x'}" },
        { "cycler and joiner", "{% set c = cycler('a', 'b') %}{{ c.next() }}{{ c.next() }}{{ c.next() }}{{ c.current }} {% set j = joiner('|') %}{% for x in [1, 2, 3] %}{{ j() }}{{ x }}{% endfor %}", null, "abab 1|2|3" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Renders(string description, string template, string? context, string expected) =>
        TemplateTestHelper.Render(template, context).Should().Be(expected, description);
}
