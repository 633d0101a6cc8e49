using Peft.Tokenization.Templates.Runtime;

namespace Peft.Tokenization.Templates.Syntax;

/// <summary>Call arguments, filters and tests.</summary>
internal sealed partial class Parser
{
    private CallArgs ParseCallArgs()
    {
        var open = Expect(TokenKind.Operator, "(");
        var positional = new List<Expr>();
        var keywords = new List<KeyValuePair<string, Expr>>();
        Expr? dynArgs = null;
        Expr? dynKwargs = null;
        var requireComma = false;
        while (!Current.IsOperator(")"))
        {
            if (requireComma)
            {
                Expect(TokenKind.Operator, ",");
                if (Current.IsOperator(")"))
                {
                    break;
                }
            }

            if (SkipOperator("*"))
            {
                Ensure(dynArgs is null && dynKwargs is null, open);
                dynArgs = ParseExpression();
            }
            else if (SkipOperator("**"))
            {
                Ensure(dynKwargs is null, open);
                dynKwargs = ParseExpression();
            }
            else if (Current.Kind == TokenKind.Name && Peek().IsOperator("="))
            {
                Ensure(dynKwargs is null, open);
                var key = Advance().Value;
                _index++;
                keywords.Add(new(key, ParseExpression()));
            }
            else
            {
                Ensure(dynArgs is null && dynKwargs is null && keywords.Count == 0, open);
                positional.Add(ParseExpression());
            }

            requireComma = true;
        }

        Expect(TokenKind.Operator, ")");
        return positional.Count == 0 && keywords.Count == 0 && dynArgs is null && dynKwargs is null
            ? CallArgs.Empty
            : new CallArgs([.. positional], [.. keywords], dynArgs, dynKwargs);
    }

    private void Ensure(bool condition, Token at)
    {
        if (!condition)
        {
            throw Fail(at, "invalid syntax for function call expression");
        }
    }

    private FilterExpr? ParseFilterChain(Expr? node, bool startInline)
    {
        FilterExpr? result = null;
        while (Current.IsOperator("|") || startInline)
        {
            if (!startInline)
            {
                _index++;
            }

            startInline = false;
            var token = Expect(TokenKind.Name);
            var name = token.Value;
            while (SkipOperator("."))
            {
                name += "." + Expect(TokenKind.Name).Value;
            }

            var filter = Filters.Find(name)
                ?? (_soft && !Filters.IsJinjaBuiltin(name) ? Filters.Missing(name) : throw UnknownCallable(token, name, "filter", Filters.IsJinjaBuiltin(name)));
            var args = Current.IsOperator("(") ? ParseCallArgs() : CallArgs.Empty;
            result = new FilterExpr(node, name, filter, args) { Start = node?.Start ?? token.Position, End = LastEnd };
            node = result;
        }

        return result;
    }

    private Expr ParseTest(Expr node)
    {
        _index++;
        var negated = SkipName("not");
        var token = Expect(TokenKind.Name);
        var name = token.Value;
        while (SkipOperator("."))
        {
            name += "." + Expect(TokenKind.Name).Value;
        }

        var test = Tests.Find(name) ?? (_soft ? Tests.Missing(name) : throw UnknownCallable(token, name, "test", false));
        var args = CallArgs.Empty;
        if (Current.IsOperator("("))
        {
            args = ParseCallArgs();
        }
        else if ((Current.Kind is TokenKind.Name or TokenKind.String or TokenKind.Integer or TokenKind.Float
                  || Current.IsOperator("(") || Current.IsOperator("[") || Current.IsOperator("{"))
                 && !Current.IsName("else") && !Current.IsName("or") && !Current.IsName("and"))
        {
            if (Current.IsName("is"))
            {
                throw Fail(Current, "You cannot chain multiple tests with is");
            }

            var arg = ParsePostfix(ParsePrimary());
            args = new CallArgs([arg], [], null, null);
        }

        Expr result = new TestExpr(node, name, test, args) { Start = node.Start, End = LastEnd };
        return negated ? new NotExpr(result) { Start = node.Start, End = LastEnd } : result;
    }

    private ChatTemplateException UnknownCallable(Token token, string name, string kind, bool knownToJinja) =>
        knownToJinja
            ? Fail(token, $"The Jinja2 {kind} '{name}' is not supported by this renderer", SyntaxErrors.NotSupported)
            : Fail(token, $"No {kind} named '{name}'.", SyntaxErrors.AssertionError);
}
