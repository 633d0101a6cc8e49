using FluentAssertions;
using Peft.Tokenization.Templates;
using Xunit;

namespace Peft.Tests.Tokenization.Templates;

/// <summary>Macros: defaults, keyword arguments, recursion, varargs/kwargs, call blocks.</summary>
/// <remarks>Expected outputs are written from Jinja2's documented semantics (and were cross-checked against Jinja2 3.1 with
/// transformers' environment settings while writing them).</remarks>
public sealed class MacroTests
{
    public static TheoryData<string, string, string?, string> Cases() => new()
    {
        { "defaults and keyword arguments", "{% macro m(a, b='d') %}[{{ a }}{{ b }}]{% endmacro %}{{ m(1) }}{{ m(1, 2) }}{{ m(1, b=3) }}{{ m(b=4, a=5) }}", null, "[1d][12][13][54]" },
        { "missing arguments are undefined", "{% macro m(a, b) %}[{{ a }}|{{ b }}|{{ b is defined }}]{% endmacro %}{{ m(1) }}", null, "[1||False]" },
        { "recursion", "{% macro fact(n) %}{% if n <= 1 %}1{% else %}{{ n * fact(n - 1) | int }}{% endif %}{% endmacro %}{{ fact(5) }}", null, "120" },
        { "recursive rendering of a nested structure", "{% macro show(v) %}{% if v is mapping %}{% for k, x in v.items() %}{{ k }}({{ show(x) }}){% endfor %}{% else %}{{ v }}{% endif %}{% endmacro %}{{ show(data) }}", "{\"data\": {\"a\": {\"b\": 1, \"c\": {\"d\": 2}}}}", "a(b(1)c(d(2)))" },
        { "macros see later top-level variables", "{% macro m() %}{{ z }}{% endmacro %}{% set z = 1 %}{{ m() }}{% set z = 2 %}{{ m() }}", null, "12" },
        { "varargs and kwargs", "{% macro m(a) %}{{ a }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1, 2, 3, k='v') }}", null, "1(2, 3){'k': 'v'}" },
        { "call block passes caller", "{% macro box(t) %}<{{ t }}:{{ caller() }}>{% endmacro %}{% call box('b') %}inner{% endcall %}", null, "<b:inner>" },
        { "call block with arguments", "{% macro each(xs) %}{% for x in xs %}{{ caller(x) }}{% endfor %}{% endmacro %}{% call(v) each([1, 2]) %}({{ v }}){% endcall %}", null, "(1)(2)" },
        { "macro output is a string", "{% macro m() %}  padded  {% endmacro %}[{{ m() | trim }}] {{ m() is string }}", null, "[padded] True" },
        { "default arguments can use earlier parameters", "{% macro m(a, b=a * 2) %}{{ b }}{% endmacro %}{{ m(3) }}", null, "6" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Renders(string description, string template, string? context, string expected) =>
        TemplateTestHelper.Render(template, context).Should().Be(expected, description);
}
