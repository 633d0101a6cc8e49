namespace Peft.Tokenization.Templates.Syntax;

/// <summary>Macros, call/filter/with/generation blocks and loop controls.</summary>
internal sealed partial class Parser
{
    private MacroStmt ParseMacro(Token begin)
    {
        _index++;
        var name = Expect(TokenKind.Name).Value;
        var (parameters, defaults) = ParseSignature();
        var (body, used) = ParseCallableBody("endmacro");
        var signature = new MacroSignature(parameters, defaults, used.Contains("varargs"), used.Contains("kwargs"), used.Contains("caller"));
        return new MacroStmt(name, signature, body) { Start = begin.Position, End = Current.End };
    }

    private CallBlockStmt ParseCallBlock(Token begin)
    {
        _index++;
        var (parameters, defaults) = Current.IsOperator("(") ? ParseSignature() : ([], []);
        var callToken = Current;
        if (ParseExpression() is not CallExpr call)
        {
            throw Fail(callToken, "expected call");
        }

        var (body, used) = ParseCallableBody("endcall");
        var signature = new MacroSignature(parameters, defaults, used.Contains("varargs"), used.Contains("kwargs"), used.Contains("caller"));
        return new CallBlockStmt(call, signature, body) { Start = begin.Position, End = Current.End };
    }

    private (Stmt[] Body, HashSet<string> Used) ParseCallableBody(string endName)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        _macroNames.Push(used);
        var loopDepth = _loopDepth;
        _loopDepth = 0;
        try
        {
            return (ParseBody([endName], dropNeedle: true), used);
        }
        finally
        {
            _loopDepth = loopDepth;
            _macroNames.Pop();
        }
    }

    private (string[] Parameters, Expr?[] Defaults) ParseSignature()
    {
        Expect(TokenKind.Operator, "(");
        var parameters = new List<string>();
        var defaults = new List<Expr?>();
        var sawDefault = false;
        while (!Current.IsOperator(")"))
        {
            if (parameters.Count > 0)
            {
                Expect(TokenKind.Operator, ",");
            }

            var name = Expect(TokenKind.Name);
            if (SkipOperator("="))
            {
                defaults.Add(ParseExpression());
                sawDefault = true;
            }
            else if (sawDefault)
            {
                throw Fail(name, "non-default argument follows default argument");
            }
            else
            {
                defaults.Add(null);
            }

            parameters.Add(name.Value);
        }

        Expect(TokenKind.Operator, ")");
        return ([.. parameters], [.. defaults]);
    }

    private FilterBlockStmt ParseFilterBlock(Token begin)
    {
        _index++;
        var chain = ParseFilterChain(null, startInline: true);
        var filters = new List<FilterExpr>();
        for (Expr? e = chain; e is FilterExpr f; e = f.Target)
        {
            filters.Insert(0, f);
        }

        var body = ParseBody(["endfilter"], dropNeedle: true);
        return new FilterBlockStmt([.. filters], body) { Start = begin.Position, End = Current.End };
    }

    private WithStmt ParseWith(Token begin)
    {
        _index++;
        var targets = new List<Target>();
        var values = new List<Expr>();
        while (Current.Kind != TokenKind.BlockEnd)
        {
            if (targets.Count > 0)
            {
                Expect(TokenKind.Operator, ",");
            }

            targets.Add(ParseAssignTarget());
            Expect(TokenKind.Operator, "=");
            values.Add(ParseExpression());
        }

        var body = ParseBody(["endwith"], dropNeedle: true);
        return new WithStmt([.. targets], [.. values], body) { Start = begin.Position, End = Current.End };
    }

    private ScopeStmt ParseGeneration(Token begin)
    {
        _index++;
        var body = ParseBody(["endgeneration"], dropNeedle: true);
        return new ScopeStmt(body) { Start = begin.Position, End = Current.End };
    }

    private Stmt ParseLoopControl(Token begin)
    {
        var token = Advance();
        if (_loopDepth == 0)
        {
            throw Fail(token, $"'{token.Value}' outside of a loop");
        }

        return token.Value == "break"
            ? new BreakStmt { Start = begin.Position, End = Current.End }
            : new ContinueStmt { Start = begin.Position, End = Current.End };
    }
}
