using FluentAssertions;
using Peft.Tokenization.Templates;
using Xunit;

namespace Peft.Tests.Tokenization.Templates;

/// <summary>Operators with Python semantics and Jinja2 precedence (filters and tests bind tighter than arithmetic).</summary>
/// <remarks>Expected outputs are written from Jinja2's documented semantics (and were cross-checked against Jinja2 3.1 with
/// transformers' environment settings while writing them).</remarks>
public sealed class OperatorTests
{
    public static TheoryData<string, string, string?, string> Cases() => new()
    {
        { "arithmetic follows Python", "{{ 7 // 2 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 7 % -3 }} {{ 2 ** 10 }} {{ 2 ** -1 }} {{ 7 / 2 }} {{ 6 / 3 }} {{ 1 + 2.0 }} {{ true + 1 }}", null, "3 -4 2 -2 1024 0.5 3.5 2.0 3.0 2" },
        { "power is left-associative in Jinja", "{{ 2 ** 3 ** 2 }}", null, "64" },
        { "unary minus binds tighter than power", "{{ -2 ** 2 }}", null, "4" },
        { "string and list repetition and concatenation", "{{ 'ab' * 3 }} {{ 2 * 'x' }} {{ [1] * 2 }} {{ [1] + [2] }} {{ 'a' + 'b' }}", null, "ababab xx [1, 1] [1, 2] ab" },
        { "tilde converts to strings", "{{ 1 ~ 2 ~ none ~ true ~ nothing }}", null, "12NoneTrue" },
        { "comparisons chain", "{{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 1 == 1.0 }} {{ 'a' != 'b' }} {{ 'a' < 'b' }} {{ [1, 2] < [1, 3] }}", null, "True False True True True True" },
        { "in and not in", "{{ 'b' in 'abc' }} {{ 2 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 'z' not in ['a'] }} {{ 'x' in nothing }}", null, "True True True True False" },
        { "and/or return operands like Python", "{{ 0 or 'x' }} {{ 'a' and 'b' }} {{ '' and 'b' }}|{{ none or none }}", null, "x b |None" },
        { "not binds looser than comparisons and tests", "{{ not 1 == 2 }} {{ not none is none }} {{ not x is defined }}", null, "True False True" },
        { "filters bind tighter than arithmetic", "{{ 'a' ~ 'b' | upper }} {{ -1 | abs }} {{ [1, 2] | length + 1 }}", null, "aB 1 3" },
        { "conditional expression", "{{ 'y' if 1 > 0 else 'n' }} {{ 'y' if false else 'n' }} [{{ 'y' if false }}]", null, "y n []" },
        { "nested conditional expression", "{{ 'a' if false else 'b' if false else 'c' }}", null, "c" },
        { "equality of dicts and lists is deep", "{{ {'a': [1]} == {'a': [1]} }} {{ [1, 2] == [1, 2] }} {{ [1] == (1,) }} {{ none == none }}", null, "True True False True" },
        { "percent formatting with a list argument", "[{{ '' % [] }}][{{ '%s' % [1] }}]", null, "[][[1]]" },
        { "float modulo keeps the sign of zero", "{{ false % -0.5 }} {{ 1 % -0.5 }} {{ -1.5 % 1 }}", null, "-0.0 -0.0 0.5" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Renders(string description, string template, string? context, string expected) =>
        TemplateTestHelper.Render(template, context).Should().Be(expected, description);
}
