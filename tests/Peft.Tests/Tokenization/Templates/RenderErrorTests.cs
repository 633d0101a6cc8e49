using FluentAssertions;
using Peft.Tokenization.Templates;
using Xunit;

namespace Peft.Tests.Tokenization.Templates;

/// <summary>Render-time errors carry Jinja2/Python's exception type and message, plus the template position.</summary>
/// <remarks>Expected outputs are written from Jinja2's documented semantics (and were cross-checked against Jinja2 3.1 with
/// transformers' environment settings while writing them).</remarks>
public sealed class RenderErrorTests
{
    public static TheoryData<string, string, string?, string> Cases() => new()
    {
        { "unknown filter inside if fails only when reached", "{% if false %}{{ x | nosuch }}{% endif %}ok", null, "ok" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Renders(string description, string template, string? context, string expected) =>
        TemplateTestHelper.Render(template, context).Should().Be(expected, description);

    public static TheoryData<string, string, string?, string, string> ErrorCases() => new()
    {
        { "adding a string and an integer", "{{ 'a' + 1 }}", null, "TypeError", "can only concatenate str (not \"int\") to str" },
        { "adding an integer and a string", "{{ 1 + 'a' }}", null, "TypeError", "unsupported operand type(s) for +: 'int' and 'str'" },
        { "adding None", "{{ none + 'a' }}", null, "TypeError", "unsupported operand type(s) for +: 'NoneType' and 'str'" },
        { "arithmetic on undefined", "{{ nothing + 1 }}", null, "jinja2.exceptions.UndefinedError", "'nothing' is undefined" },
        { "attribute of undefined", "{{ nothing.field }}", null, "jinja2.exceptions.UndefinedError", "'nothing' is undefined" },
        { "attribute of a missing dict key", "{{ m.missing.field }}", "{\"m\": {\"role\": \"user\"}}", "jinja2.exceptions.UndefinedError", "'dict object' has no attribute 'missing'" },
        { "index of a missing list element", "{{ xs[3]['role'] }}", "{\"xs\": [1]}", "jinja2.exceptions.UndefinedError", "list object has no element 3" },
        { "ordering different types", "{{ 'a' < 1 }}", null, "TypeError", "'<' not supported between instances of 'str' and 'int'" },
        { "division by zero", "{{ 1 / 0 }}", null, "ZeroDivisionError", "division by zero" },
        { "integer modulo by zero", "{{ 1 % 0 }}", null, "ZeroDivisionError", "integer modulo by zero" },
        { "length of an integer", "{{ 5 | length }}", null, "TypeError", "object of type 'int' has no len()" },
        { "length of a generator", "{{ messages | selectattr('role') | length }}", "{\"messages\": [{\"role\": \"user\"}]}", "TypeError", "object of type 'generator' has no len()" },
        { "iterating None", "{% for x in none %}{% endfor %}", null, "TypeError", "'NoneType' object is not iterable" },
        { "calling undefined", "{{ nothing() }}", null, "jinja2.exceptions.UndefinedError", "'nothing' is undefined" },
        { "mutating a list is unsafe", "{% set xs = [] %}{{ xs.append(1) }}", null, "jinja2.exceptions.SecurityError", "access to attribute 'append' of 'list' object is unsafe." },
        { "too many macro arguments", "{% macro m(a) %}{% endmacro %}{{ m(1, 2) }}", null, "TypeError", "macro 'm' takes not more than 1 argument(s)" },
        { "unknown macro keyword", "{% macro m(a) %}{% endmacro %}{{ m(c=1) }}", null, "TypeError", "macro 'm' takes no keyword argument 'c'" },
        { "assigning an attribute of a non-namespace", "{% set d = {} %}{% set d.x = 1 %}", null, "jinja2.exceptions.TemplateRuntimeError", "cannot assign attribute on non-namespace object" },
        { "unpacking the wrong number of values", "{% for a, b in [[1, 2, 3]] %}{% endfor %}", null, "ValueError", "too many values to unpack (expected 2)" },
        { "raise_exception", "{{ raise_exception('Custom message: ' ~ 42) }}", null, "jinja2.exceptions.TemplateError", "Custom message: 42" },
        { "tojson of undefined", "{{ nothing | tojson }}", null, "TypeError", "Object of type Undefined is not JSON serializable" },
        { "items of a list", "{{ [1] | items | list }}", null, "TypeError", "Can only get item pairs from a mapping." },
        { "sorting values Python cannot order", "{{ [1, 'a'] | sort }}", null, "TypeError", "'<' not supported between instances of 'str' and 'int'" },
        { "max of values Python cannot order", "{{ [1, 'a'] | max }}", null, "TypeError", "'>' not supported between instances of 'str' and 'int'" },
        { "slicing an integer", "{{ x[1:] }}", "{\"x\": 5}", "TypeError", "'int' object is not subscriptable" },
        { "slicing None", "{{ n[1:] }}", "{\"n\": null}", "TypeError", "'NoneType' object is not subscriptable" },
        { "slicing a dict", "{{ d[:1] }}", "{\"d\": {\"a\": 1}}", "TypeError", "unhashable type: 'slice'" },
        { "slicing undefined", "{{ nothing[1:] }}", null, "jinja2.exceptions.UndefinedError", "'nothing' is undefined" },
        { "int of undefined", "{{ nothing | int }}", null, "jinja2.exceptions.UndefinedError", "'nothing' is undefined" },
        { "abs of undefined", "{{ nothing | abs }}", null, "TypeError", "bad operand type for abs(): 'Undefined'" },
        { "indent of a non-string", "{{ true | indent }}", null, "TypeError", "unsupported operand type(s) for +=: 'bool' and 'str'" },
        { "float power overflow", "{{ x ** 1e3 }}", "{\"x\": 5}", "OverflowError", "Numerical result out of range" },
        { "dictsort of a list", "{{ [1] | dictsort }}", null, "AttributeError", "'list' object has no attribute 'items'" },
        { "unknown test inside if fails when evaluated", "{% if x is nosuch %}{% endif %}", null, "jinja2.exceptions.TemplateRuntimeError", "No test named 'nosuch' found." },
    };

    [Theory]
    [MemberData(nameof(ErrorCases))]
    public void FailsLikeJinja(string description, string template, string? context, string pythonType, string message)
    {
        var act = () => TemplateTestHelper.Render(template, context);

        var ex = act.Should().Throw<ChatTemplateException>(description).Which;
        ex.PythonExceptionType.Should().Be(pythonType);
        ex.Message.Should().Contain(message);
        ex.Line.Should().Be(1);
        ex.Column.Should().BeGreaterThan(0);
    }
}
