using FluentAssertions;
using Peft.Tokenization.Templates;
using Xunit;

namespace Peft.Tests.Tokenization.Templates;

/// <summary>Built-in filters with Jinja2 3.1 semantics.</summary>
/// <remarks>Expected outputs are written from Jinja2's documented semantics (and were cross-checked against Jinja2 3.1 with
/// transformers' environment settings while writing them).</remarks>
public sealed class FilterTests
{
    public static TheoryData<string, string, string?, string> Cases() => new()
    {
        { "truncate returns short non-strings unchanged", "{{ {'k': 1} | truncate(5, leeway=0) }}", null, "{'k': 1}" },
        { "string case filters", "{{ 'hello WORLD' | upper }} {{ 'HeLLo' | lower }} {{ 'hello WORLD' | capitalize }} {{ 'hello-world (x' | title }}", null, "HELLO WORLD hello Hello world Hello-World (X" },
        { "trim with and without characters", "[{{ '  a b  ' | trim }}][{{ 'xxaxx' | trim('x') }}][{{ nothing | trim }}]", null, "[a b][a][]" },
        { "length and count", "{{ [1, 2] | length }} {{ 'héllo' | count }} {{ {'a': 1} | length }} {{ nothing | length }}", null, "2 5 1 0" },
        { "first and last", "{{ [1, 2, 3] | first }} {{ [1, 2, 3] | last }} {{ 'abc' | first }} [{{ [] | first }}]", null, "1 3 a []" },
        { "join with attribute", "{{ [1, 2, 3] | join(', ') }} {{ users | join('/', attribute='name') }} {{ [none, true] | join }}", "{\"users\": [{\"name\": \"a\"}, {\"name\": \"b\"}]}", "1, 2, 3 a/b NoneTrue" },
        { "default", "{{ nothing | default('d') }} {{ none | default('d') }} {{ '' | default('d', true) }} {{ 'v' | d('d') }}", null, "d None d v" },
        { "list, reverse and sort", "{{ 'abc' | list }} {{ [3, 1, 2] | sort }} {{ [3, 1, 2] | sort(reverse=true) }} {{ [1, 2, 3] | reverse | list }} {{ 'abc' | reverse }}", null, "['a', 'b', 'c'] [1, 2, 3] [3, 2, 1] [3, 2, 1] cba" },
        { "sort by attribute, case-insensitive by default", "{{ people | sort(attribute='name') | map(attribute='name') | join(',') }} {{ ['b', 'A', 'c'] | sort }} {{ ['b', 'A', 'c'] | sort(case_sensitive=true) }}", "{\"people\": [{\"name\": \"bob\"}, {\"name\": \"Al\"}, {\"name\": \"cy\"}]}", "Al,bob,cy ['A', 'b', 'c'] ['A', 'b', 'c']" },
        { "sort is stable, also in reverse", "{{ [3, 1, 2, 1.0, 3] | sort(reverse=true) }} {{ ['b', 'A', 'a', 'B'] | sort(reverse=true) }}", null, "[3, 3, 2, 1, 1.0] ['b', 'B', 'A', 'a']" },
        { "unique keeps first occurrences", "{{ ['a', 'A', 'b', 'a'] | unique | list }} {{ [1, 2, 1] | unique | list }}", null, "['a', 'b'] [1, 2]" },
        { "map with attribute, default and filter name", "{{ xs | map(attribute='v') | list }} {{ xs | map(attribute='w', default=0) | list }} {{ [1, 2] | map('string') | join('-') }} {{ ['a', 'b'] | map('upper') | list }}", "{\"xs\": [{\"v\": 1}, {\"v\": 2, \"w\": 3}]}", "[1, 2] [0, 3] 1-2 ['A', 'B']" },
        { "select and reject with tests", "{{ [1, 2, 3, 4] | select('odd') | list }} {{ [1, 2, 3, 4] | reject('odd') | list }} {{ [0, 1, none, 'x'] | select | list }} {{ ['a', 'code_interpreter', 'b'] | reject('equalto', 'code_interpreter') | join(', ') }}", null, "[1, 3] [2, 4] [1, 'x'] a, b" },
        { "selectattr and rejectattr", "{{ messages | selectattr('role', 'equalto', 'user') | map(attribute='content') | list }} {{ messages | rejectattr('role', 'equalto', 'user') | list | length }} {{ messages | selectattr('flag') | list | length }}", "{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"assistant\", \"content\": \"b\", \"flag\": true}, {\"role\": \"user\", \"content\": \"c\"}]}", "['a', 'c'] 1 1" },
        { "items and dictsort", "{{ {'b': 1, 'a': 2} | items | list }} {{ {'b': 1, 'A': 2} | dictsort }} {{ {'b': 1, 'a': 2} | dictsort(by='value') }} {{ {'b': 1, 'a': 2} | dictsort(reverse=true) }}", null, "[('b', 1), ('a', 2)] [('A', 2), ('b', 1)] [('b', 1), ('a', 2)] [('b', 1), ('a', 2)]" },
        { "replace", "{{ 'aaa' | replace('a', 'b') }} {{ 'aaa' | replace('a', 'b', 2) }}", null, "bbb bba" },
        { "string, int and float conversions", "{{ 1 | string }} {{ none | string }} {{ '42' | int }} {{ '42.7' | int }} {{ 'x' | int }} {{ 'x' | int(7) }} {{ '0x1A' | int(0, 16) }} {{ 3.9 | int }} {{ '1.5' | float }} {{ 2 | float }} {{ 'x' | float }}", null, "1 None 42 42 0 7 26 3 1.5 2.0 0.0" },
        { "abs and round", "{{ -3 | abs }} {{ -2.5 | abs }} {{ 2.5 | round }} {{ 3.5 | round }} {{ 3 | round }} {{ 2.675 | round(2) }} {{ 2.1 | round(0, 'ceil') }} {{ 2.9 | round(0, 'floor') }}", null, "3 2.5 2.0 4.0 3 2.67 3.0 2.0" },
        { "min, max and sum", "{{ [3, 1, 2] | min }} {{ [3, 1, 2] | max }} {{ ['b', 'A'] | max }} {{ [1, 2, 3] | sum }} {{ xs | sum(attribute='v') }} {{ [1, 2] | sum(start=10) }}", "{\"xs\": [{\"v\": 1.5}, {\"v\": 2}]}", "1 3 b 6 3.5 13" },
        { "indent", "{{ 'a\nb\n\nc' | indent(2) }}|{{ 'a\nb' | indent(2, true) }}|{{ 'a\n\nb' | indent(2, blank=true) }}|{{ 'a\nb' | indent('> ') }}", null, "a\n  b\n\n  c|  a\n  b|a\n  \n  b|a\n> b" },
        { "center, wordcount and truncate", "[{{ 'ab' | center(6) }}] {{ 'one two, three' | wordcount }} {{ 'hello world foo bar' | truncate(12, leeway=0) }} {{ 'hello world' | truncate(8, true, leeway=0) }}", null, "[  ab  ] 3 hello... hello..." },
        { "escape and safe without autoescape", "{{ '<a href=\"x\">&\\'' | e }} {{ '<b>' | safe }}", null, "&lt;a href=&#34;x&#34;&gt;&amp;&#39; <b>" },
        { "format filter uses printf formatting", "{{ '%s-%d-%.2f-%5s-%-5s|%r' | format('a', 3, 1.5, 'x', 'y', 'z') }} {{ '%(a)s' | format(a=1) }} {{ '%05.1f%%' | format(3.14159) }}", null, "a-3-1.50-    x-y    |'z' 1 003.1%" },
        { "batch and slice", "{{ [1, 2, 3, 4, 5] | batch(2) | list }} {{ [1, 2, 3] | batch(2, 'x') | list }} {{ [1, 2, 3, 4, 5] | slice(2) | list }}", null, "[[1, 2], [3, 4], [5]] [[1, 2], [3, 'x']] [[1, 2, 3], [4, 5]]" },
        { "attr reads attributes, not keys", "{{ d | attr('role') is defined }} {{ d | attr('items') is callable }}", "{\"d\": {\"role\": \"user\"}}", "False True" },
        { "chained filters", "{{ '  Hello  ' | trim | lower | replace('l', 'L') }}", null, "heLLo" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Renders(string description, string template, string? context, string expected) =>
        TemplateTestHelper.Render(template, context).Should().Be(expected, description);
}
