using FluentAssertions;
using Peft.Tokenization.Templates;
using Xunit;

namespace Peft.Tests.Tokenization.Templates;

/// <summary>Whitespace control: trim_blocks, lstrip_blocks, <c>-</c> and <c>+</c> markers, comments, the dropped trailing newline.</summary>
/// <remarks>Expected outputs are written from Jinja2's documented semantics (and were cross-checked against Jinja2 3.1 with
/// transformers' environment settings while writing them).</remarks>
public sealed class WhitespaceControlTests
{
    public static TheoryData<string, string, string?, string> Cases() => new()
    {
        { "trim_blocks removes the newline after a block tag", "{% if true %}\nyes\n{% endif %}\nend", null, "yes\nend" },
        { "lstrip_blocks removes indentation before a block tag", "  {% if true %}\n  x\n  {% endif %}\n", null, "  x\n" },
        { "variables are not lstripped", "  {{ 'v' }}\n", null, "  v" },
        { "variable tags do not trim the newline", "{{ 'a' }}\nb", null, "a\nb" },
        { "minus strips all whitespace on both sides", "a  \n {%- if true -%} \n\n b {%- endif -%}  \n c", null, "abc" },
        { "minus on print tags", "a \n{{- 'b' -}}\n c", null, "abc" },
        { "plus keeps the indentation lstrip would remove", "  {%+ if true %}x{% endif %}", null, "  x" },
        { "plus on the right keeps the newline trim would remove", "{% if true +%}\nx{% endif %}", null, "\nx" },
        { "lstrip only when the tag starts its line", "a  {% if true %}b{% endif %}", null, "a  b" },
        { "comments are trimmed like blocks", "a\n  {# note #}\nb", null, "a\nb" },
        { "comment with minus strips", "a   {#- note -#}   b", null, "ab" },
        { "one trailing newline of the template is dropped", "x\n", null, "x" },
        { "only one trailing newline is dropped", "x\n\n", null, "x\n" },
        { "CRLF newlines become LF", "a\r\nb\r\n", null, "a\nb" },
        { "trim_blocks eats only one newline", "{% set x = 1 %}\n\nz", null, "\nz" },
        { "tab indentation is lstripped", "\t{% if true %}y{% endif %}", null, "y" },
        { "lstrip after a trimmed block on the next line", "{% for i in [1, 2] %}\n    {% if i == 2 %}\n    two\n    {% endif %}\n{% endfor %}\n", null, "    two\n" },
        { "raw block is copied verbatim", "{% raw %}{{ not evaluated }}{% endraw %}", null, "{{ not evaluated }}" },
        { "string literal spanning lines keeps the newline", "{{ 'a\nb' }}", null, "a\nb" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Renders(string description, string template, string? context, string expected) =>
        TemplateTestHelper.Render(template, context).Should().Be(expected, description);
}
