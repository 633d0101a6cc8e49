using FluentAssertions;
using Peft.Tokenization.Templates;
using Xunit;

namespace Peft.Tests.Tokenization.Templates;

/// <summary>Render-time errors name the innermost failing construct with its line and column.</summary>
public sealed class RenderErrorPositionTests
{
    [Fact]
    public void TypeErrorPointsAtTheFailingOperation()
    {
        const string source = "{%- for m in messages %}\n    {{- m.role + ': ' + m.count }}\n{%- endfor %}";
        var context = new Dictionary<string, object?> { ["messages"] = new[] { new Dictionary<string, object?> { ["role"] = "user", ["count"] = 3 } } };

        var act = () => ChatTemplate.Parse(source, "counter").Render(context);

        var ex = act.Should().Throw<ChatTemplateException>().Which;
        ex.PythonExceptionType.Should().Be("TypeError");
        ex.Message.Should().Be("TypeError: can only concatenate str (not \"int\") to str (template 'counter', line 2, column 9: `m.role + ': ' + m.count`)");
        ex.Line.Should().Be(2);
        ex.Column.Should().Be(9);
        ex.Construct.Should().Be("m.role + ': ' + m.count");
    }

    [Fact]
    public void UndefinedErrorPointsAtTheAttributeAccess()
    {
        const string source = "line one\n{{ messages[0].content }}{{ nothing.attr }}";

        var act = () => ChatTemplate.Parse(source).Render(new Dictionary<string, object?> { ["messages"] = new[] { new Peft.Tokenization.ChatMessage("user", "x") } });

        var ex = act.Should().Throw<ChatTemplateException>().Which;
        ex.PythonExceptionType.Should().Be("jinja2.exceptions.UndefinedError");
        ex.Message.Should().StartWith("jinja2.exceptions.UndefinedError: 'nothing' is undefined (line 2, column 29: `nothing.attr`)");
        ex.TemplateName.Should().BeNull();
    }

    [Fact]
    public void RaisedExceptionKeepsTheTemplateMessageAndReportsItsPosition()
    {
        const string source = "{% if messages | length == 0 %}\n  {{- raise_exception('No messages!') }}\n{% endif %}";

        var act = () => ChatTemplate.Parse(source).Render(new Dictionary<string, object?> { ["messages"] = Array.Empty<object>() });

        var ex = act.Should().Throw<ChatTemplateRaisedException>().Which;
        ex.Message.Should().Be("No messages!");
        ex.PythonExceptionType.Should().Be("jinja2.exceptions.TemplateError");
        ex.Line.Should().Be(2);
        ex.Column.Should().Be(7);
    }

    [Fact]
    public void UnsupportedContextValueIsAnArgumentError()
    {
        var act = () => ChatTemplate.Parse("{{ x }}").Render(new Dictionary<string, object?> { ["x"] = new Uri("http://example.com") });

        act.Should().Throw<ArgumentException>().WithMessage("*'x'*System.Uri*no template equivalent*");
    }
}
