using FluentAssertions;
using Peft.Tokenization.Templates;
using Xunit;

namespace Peft.Tests.Tokenization.Templates;

/// <summary>Templates that cannot be parsed fail at <see cref="ChatTemplate.Parse"/> with Jinja2's message, the
/// line and column of the offending construct, and the construct itself.</summary>
public sealed class ParseErrorTests
{
    public static TheoryData<string, string, string, string, int, int, string> Cases() => new()
    {
        // description, template, python type, message fragment, line, column, construct fragment
        { "unclosed for", "{% for x in [1] %}\nbody", "jinja2.exceptions.TemplateSyntaxError", "Unexpected end of template. Jinja was looking for the following tags: 'endfor' or 'else'. The innermost block that needs to be closed is 'for'.", 2, 4, "y" },
        { "wrong end tag", "{% if x %}\n  {% endfor %}", "jinja2.exceptions.TemplateSyntaxError", "Encountered unknown tag 'endfor'. Jinja was looking for the following tags: 'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if'.", 2, 6, "endfor" },
        { "unknown tag", "ok\n{% frobnicate %}", "jinja2.exceptions.TemplateSyntaxError", "Encountered unknown tag 'frobnicate'.", 2, 4, "frobnicate" },
        { "include needs a loader", "{% include 'other.jinja' %}", "NotSupported", "The 'include' tag is not supported", 1, 4, "include" },
        { "do tag is not enabled", "{% do x.append(1) %}", "NotSupported", "The 'do' tag is not supported", 1, 4, "do" },
        { "recursive loop", "{% for x in xs recursive %}{% endfor %}", "NotSupported", "recursive for loops are not supported", 1, 16, "recursive" },
        { "unsupported builtin filter", "{{ x | pprint }}", "NotSupported", "The Jinja2 filter 'pprint' is not supported by this renderer", 1, 8, "pprint" },
        { "unknown filter", "\n\n   {{ x | frob }}", "jinja2.exceptions.TemplateAssertionError", "No filter named 'frob'.", 3, 11, "frob" },
        { "unknown test", "{{ x is frob }}", "jinja2.exceptions.TemplateAssertionError", "No test named 'frob'.", 1, 9, "frob" },
        { "unbalanced brace", "{{ 'abc' }", "jinja2.exceptions.TemplateSyntaxError", "unexpected '}'", 1, 10, "}" },
        { "assignment in print", "{{ x = 1 }}", "jinja2.exceptions.TemplateSyntaxError", "expected token 'end of print statement', got '='", 1, 6, "=" },
        { "unexpected character", "{{ a $ b }}", "jinja2.exceptions.TemplateSyntaxError", "unexpected char '$' at 5", 1, 6, "$" },
        { "assigning to a constant", "{% set 1 = 2 %}", "jinja2.exceptions.TemplateSyntaxError", "can't assign to 'const'", 1, 8, "1" },
        { "default before plain parameter", "{% macro m(a=1, b) %}{% endmacro %}", "jinja2.exceptions.TemplateSyntaxError", "non-default argument follows default argument", 1, 17, "b" },
        { "unterminated string", "{{ \"unterminated }}", "jinja2.exceptions.TemplateSyntaxError", "unexpected char '\"' at 3", 1, 4, "\"" },
        { "break outside a loop", "{% if true %}{% break %}{% endif %}", "jinja2.exceptions.TemplateSyntaxError", "'break' outside of a loop", 1, 17, "break" },
        { "chained is", "{{ x is defined is defined }}", "jinja2.exceptions.TemplateSyntaxError", "You cannot chain multiple tests with is", 1, 17, "is" },
        { "missing end of comment", "a {# never closed", "jinja2.exceptions.TemplateSyntaxError", "Missing end of comment tag", 1, 3, "{#" },
        { "empty expression", "{{ }}", "jinja2.exceptions.TemplateSyntaxError", "Expected an expression, got 'end of print statement'", 1, 4, "}}" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ParseFailsWithPosition(string description, string template, string pythonType, string message, int line, int column, string construct)
    {
        var act = () => ChatTemplate.Parse(template, "t");

        var ex = act.Should().Throw<ChatTemplateException>(description).Which;
        ex.PythonExceptionType.Should().Be(pythonType, description);
        ex.Message.Should().Contain(message, description);
        ex.Message.Should().Contain($"template 't', line {line}, column {column}", description);
        ex.Line.Should().Be(line, description);
        ex.Column.Should().Be(column, description);
        ex.TemplateName.Should().Be("t");
        ex.Construct.Should().Contain(construct, description);
    }

    [Fact]
    public void UnknownFilterInsideAnIfIsDeferredToRenderTime()
    {
        var template = ChatTemplate.Parse("{% if flag %}{{ x | frob }}{% endif %}");

        template.Render(new Dictionary<string, object?> { ["flag"] = false }).Should().BeEmpty();
        var act = () => template.Render(new Dictionary<string, object?> { ["flag"] = true });
        act.Should().Throw<ChatTemplateException>().Which.Message.Should().Contain("No filter named 'frob' found.");
    }
}
