using FluentAssertions;
using Peft.Tokenization.Templates;
using Xunit;

namespace Peft.Tests.Tokenization.Templates;

/// <summary>Jinja2 tests (<c>is defined</c>, <c>is mapping</c>, ...) with Python's type notions.</summary>
/// <remarks>Expected outputs are written from Jinja2's documented semantics (and were cross-checked against Jinja2 3.1 with
/// transformers' environment settings while writing them).</remarks>
public sealed class JinjaTestTests
{
    public static TheoryData<string, string, string?, string> Cases() => new()
    {
        { "undefined is callable", "{{ nothing is callable }}", null, "True" },
        { "type tests", "{{ 1 is number }} {{ true is number }} {{ true is integer }} {{ 1 is integer }} {{ 1.0 is float }} {{ true is boolean }} {{ 'a' is string }} {{ {} is mapping }} {{ [] is mapping }}", null, "True True False True True True True True False" },
        { "defined, undefined and none", "{{ x is defined }} {{ x is undefined }} {{ none is none }} {{ none is defined }} {{ tools is defined }} {{ tools is none }}", "{\"tools\": null}", "False True True True True True" },
        { "iterable and sequence", "{{ 'a' is iterable }} {{ [] is iterable }} {{ {} is iterable }} {{ 1 is iterable }} {{ nothing is iterable }} {{ 'a' is sequence }} {{ {} is sequence }} {{ 1 is sequence }}", null, "True True True False True True True False" },
        { "number tests", "{{ 4 is divisibleby 2 }} {{ 4 is divisibleby(3) }} {{ 3 is odd }} {{ 3 is even }}", null, "True False True False" },
        { "comparison tests", "{{ 2 is gt 1 }} {{ 2 is ge 2 }} {{ 1 is lt 1 }} {{ 1 is le 1 }} {{ 'a' is eq 'a' }} {{ 'a' is equalto 'b' }} {{ 1 is ne 2 }} {{ 1 is in [1] }}", null, "True True False True True False True True" },
        { "identity and case tests", "{{ none is sameas none }} {{ true is true }} {{ 0 is false }} {{ 'abc' is lower }} {{ 'ABC' is upper }} {{ 'trim' is filter }} {{ 'odd' is test }} {{ range is callable }}", null, "True True False True True True True True" },
        { "negated tests", "{{ 1 is not string }} {{ x is not defined }} {{ none is not none }}", null, "True True False" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Renders(string description, string template, string? context, string expected) =>
        TemplateTestHelper.Render(template, context).Should().Be(expected, description);
}
