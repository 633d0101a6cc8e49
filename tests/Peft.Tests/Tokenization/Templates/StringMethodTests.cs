using FluentAssertions;
using Peft.Tokenization.Templates;
using Xunit;

namespace Peft.Tests.Tokenization.Templates;

/// <summary>Python str and dict methods called from templates.</summary>
/// <remarks>Expected outputs are written from Jinja2's documented semantics (and were cross-checked against Jinja2 3.1 with
/// transformers' environment settings while writing them).</remarks>
public sealed class StringMethodTests
{
    public static TheoryData<string, string, string?, string> Cases() => new()
    {
        { "strip family with and without arguments", "[{{ '  a  '.strip() }}][{{ 'xxaxx'.strip('x') }}][{{ '  a  '.lstrip() }}][{{ '  a  '.rstrip() }}][{{ '\\n<think>'.lstrip('\\n') }}]", null, "[a][a][a  ][  a][<think>]" },
        { "split and rsplit", "{{ 'a b  c'.split() }} {{ 'a,b,,c'.split(',') }} {{ 'a,b,c'.split(',', 1) }} {{ 'a,b,c'.rsplit(',', 1) }} {{ 'x</think>y'.split('</think>')[-1] }}", null, "['a', 'b', 'c'] ['a', 'b', '', 'c'] ['a', 'b,c'] ['a,b', 'c'] y" },
        { "startswith and endswith", "{{ 'hello'.startswith('he') }} {{ 'hello'.endswith('lo') }} {{ 'hello'.startswith(('x', 'h')) }} {{ 'hello'.endswith('x') }}", null, "True True True False" },
        { "case methods", "{{ 'aBc'.upper() }} {{ 'aBc'.lower() }} {{ 'hello world'.title() }} {{ \"it's\".title() }} {{ 'hELLO'.capitalize() }}", null, "ABC abc Hello World It'S Hello" },
        { "replace, find, count, join", "{{ 'aaa'.replace('a', 'b', 1) }} {{ 'hello'.find('l') }} {{ 'hello'.rfind('l') }} {{ 'hello'.find('z') }} {{ 'banana'.count('an') }} {{ '-'.join(['a', 'b']) }}", null, "baa 2 3 -1 2 a-b" },
        { "format", "{{ '{} and {}'.format(1, 'b') }} {{ '{0}{0}'.format('x') }} {{ '{name}!'.format(name='n') }} {{ '{:>5}|{:<4}|{:^5}|{:.2f}|{:05d}'.format('r', 'l', 'c', 3.14159, 42) }}", null, "1 and b xx n!     r|l   |  c  |3.14|00042" },
        { "dict methods", "{{ d.get('a') }} {{ d.get('z') }} {{ d.get('z', 'dflt') }} {{ d.keys() | list }} {{ d.values() | list }} {{ d.items() | list }}", "{\"d\": {\"a\": 1, \"b\": 2}}", "1 None dflt ['a', 'b'] [1, 2] [('a', 1), ('b', 2)]" },
        { "misc string methods", "{{ 'a-b'.partition('-') }} {{ '7'.zfill(3) }} {{ 'ab'.center(6, '*') }} {{ 'x'.ljust(3, '.') }} {{ 'x'.rjust(3, '.') }} {{ '12'.isdigit() }} {{ 'ab'.isalpha() }} {{ 'pre_x'.removeprefix('pre_') }}", null, "('a', '-', 'b') 007 **ab** x.. ..x True True x" },
        { "splitlines", "{{ 'a\\nb\\r\\nc'.splitlines() }}", null, "['a', 'b', 'c']" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Renders(string description, string template, string? context, string expected) =>
        TemplateTestHelper.Render(template, context).Should().Be(expected, description);
}
