using FluentAssertions;
using Peft.Tokenization.Templates;
using Xunit;

namespace Peft.Tests.Tokenization.Templates;

/// <summary>for loops: loop variables, unpacking, filtered loops, else, break/continue, scoping.</summary>
/// <remarks>Expected outputs are written from Jinja2's documented semantics (and were cross-checked against Jinja2 3.1 with
/// transformers' environment settings while writing them).</remarks>
public sealed class LoopTests
{
    public static TheoryData<string, string, string?, string> Cases() => new()
    {
        { "loop variables", "{% for x in 'abc' %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }};{% endfor %}", null, "1032TrueFalse3;2121FalseFalse3;3210FalseTrue3;" },
        { "previtem, nextitem and cycle", "{% for x in [1, 2, 3] %}{{ loop.previtem }}-{{ loop.nextitem }}-{{ loop.cycle('a', 'b') }} {% endfor %}", null, "-2-a 1-3-b 2--a " },
        { "tuple unpacking", "{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }};{% endfor %}", null, "a=1;b=2;" },
        { "items filter and unpacking", "{% for k, v in d | items %}{{ k }}:{{ v }} {% endfor %}", "{\"d\": {\"x\": 1, \"y\": [2]}}", "x:1 y:[2] " },
        { "filtered loop counts only kept items", "{% for x in [1, 2, 3, 4] if x is even %}{{ x }}@{{ loop.index }}/{{ loop.length }} {% endfor %}", null, "2@1/2 4@2/2 " },
        { "else runs for an empty loop", "{% for x in [] %}x{% else %}empty{% endfor %}", null, "empty" },
        { "break and continue", "{% for x in range(10) %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 5 %}{% break %}{% endif %}{{ x }}{% endfor %}", null, "0134" },
        { "set inside a loop does not leak out", "{% set x = 1 %}{% for i in [1, 2] %}{{ x }}{% set x = 2 %}{{ x }}{% endfor %}{{ x }}", null, "12121" },
        { "namespace carries values out of a loop", "{% set ns = namespace(count=0, last=none) %}{% for m in messages %}{% set ns.count = ns.count + 1 %}{% set ns.last = m.role %}{% endfor %}{{ ns.count }} {{ ns.last }}", "{\"messages\": [{\"role\": \"user\"}, {\"role\": \"assistant\"}]}", "2 assistant" },
        { "nested loops have their own loop variable", "{% for a in [1, 2] %}{% for b in 'xy' %}{{ loop.index }}{% endfor %}{{ loop.index }}|{% endfor %}", null, "121|122|" },
        { "iterating a dict gives keys", "{% for k in {'a': 1, 'b': 2} %}{{ k }}{% endfor %}", null, "ab" },
        { "loop over undefined is empty", "{% for x in nothing %}x{% else %}none{% endfor %}", null, "none" },
        { "loop.changed", "{% for x in [1, 1, 2, 2, 1] %}{% if loop.changed(x) %}{{ x }}{% endif %}{% endfor %}", null, "121" },
        { "range with start, stop and step", "{{ range(3) | list }} {{ range(1, 7, 2) | list }} {{ range(3, 0, -1) | list }} {{ range(2) }}", null, "[0, 1, 2] [1, 3, 5] [3, 2, 1] range(0, 2)" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Renders(string description, string template, string? context, string expected) =>
        TemplateTestHelper.Render(template, context).Should().Be(expected, description);
}
