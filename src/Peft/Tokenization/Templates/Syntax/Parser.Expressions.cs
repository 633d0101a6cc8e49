using Peft.Tokenization.Templates.Runtime;

namespace Peft.Tokenization.Templates.Syntax;

/// <summary>Expression grammar, precedence lowest to highest: conditional, or, and, not, comparisons (chained,
/// <c>in</c>, <c>not in</c>), + -, ~, * / // %, ** (left-associative as in Jinja2), unary - +, then primary with
/// postfix (attribute, subscript, call) and filters/tests (which bind tighter than every operator).</summary>
internal sealed partial class Parser
{
    private static readonly HashSet<string> CompareOps = ["==", "!=", "<", "<=", ">", ">="];

    private Expr ParseExpression(bool withCondExpr = true) => withCondExpr ? ParseCondExpr() : ParseOr();

    /// <summary>Jinja2's parse_tuple: one expression, or a tuple when commas separate several.</summary>
    private Expr ParseTuple(bool withCondExpr, string? extraEnd = null, bool simplified = false, bool explicitParentheses = false)
    {
        var start = Current;
        var items = new List<Expr>();
        var isTuple = false;
        while (true)
        {
            if (items.Count > 0)
            {
                Expect(TokenKind.Operator, ",");
            }

            if (IsTupleEnd(extraEnd))
            {
                break;
            }

            items.Add(simplified ? ParsePrimary() : ParseExpression(withCondExpr));
            if (Current.IsOperator(","))
            {
                isTuple = true;
            }
            else
            {
                break;
            }
        }

        if (!isTuple)
        {
            if (items.Count > 0)
            {
                return items[0];
            }

            if (!explicitParentheses)
            {
                throw Fail(Current, $"Expected an expression, got {Current.Describe()}");
            }
        }

        return new ListExpr([.. items], isTuple: true) { Start = start.Position, End = _tokens[_index - 1].End };
    }

    private bool IsTupleEnd(string? extraEnd) =>
        Current.Kind is TokenKind.VariableEnd or TokenKind.BlockEnd or TokenKind.Eof
        || Current.IsOperator(")")
        || (extraEnd is not null && Current.IsName(extraEnd));

    private Expr ParseCondExpr()
    {
        var start = Current.Position;
        var expr = ParseOr();
        while (SkipName("if"))
        {
            var test = ParseOr();
            Expr? otherwise = SkipName("else") ? ParseCondExpr() : null;
            expr = new CondExpr(test, expr, otherwise) { Start = start, End = LastEnd };
        }

        return expr;
    }

    private int LastEnd => _tokens[Math.Max(0, _index - 1)].End;

    private Expr ParseOr()
    {
        var start = Current.Position;
        var left = ParseAnd();
        while (SkipName("or"))
        {
            left = new OrExpr(left, ParseAnd()) { Start = start, End = LastEnd };
        }

        return left;
    }

    private Expr ParseAnd()
    {
        var start = Current.Position;
        var left = ParseNot();
        while (SkipName("and"))
        {
            left = new AndExpr(left, ParseNot()) { Start = start, End = LastEnd };
        }

        return left;
    }

    private Expr ParseNot()
    {
        var start = Current.Position;
        if (SkipName("not"))
        {
            return new NotExpr(ParseNot()) { Start = start, End = LastEnd };
        }

        return ParseCompare();
    }

    private Expr ParseCompare()
    {
        var start = Current.Position;
        var first = ParseMath1();
        var ops = new List<string>();
        var operands = new List<Expr>();
        while (true)
        {
            if (Current.Kind == TokenKind.Operator && CompareOps.Contains(Current.Value))
            {
                ops.Add(Advance().Value);
            }
            else if (SkipName("in"))
            {
                ops.Add("in");
            }
            else if (Current.IsName("not") && Peek().IsName("in"))
            {
                _index += 2;
                ops.Add("not in");
            }
            else
            {
                break;
            }

            operands.Add(ParseMath1());
        }

        return ops.Count == 0 ? first : new CompareExpr(first, [.. ops], [.. operands]) { Start = start, End = LastEnd };
    }

    private Expr ParseMath1()
    {
        var start = Current.Position;
        var left = ParseConcat();
        while (Current.IsOperator("+") || Current.IsOperator("-"))
        {
            var op = Advance().Value;
            left = new BinaryExpr(op, left, ParseConcat()) { Start = start, End = LastEnd };
        }

        return left;
    }

    private Expr ParseConcat()
    {
        var start = Current.Position;
        var first = ParseMath2();
        if (!Current.IsOperator("~"))
        {
            return first;
        }

        var parts = new List<Expr> { first };
        while (SkipOperator("~"))
        {
            parts.Add(ParseMath2());
        }

        return new ConcatExpr([.. parts]) { Start = start, End = LastEnd };
    }

    private Expr ParseMath2()
    {
        var start = Current.Position;
        var left = ParsePow();
        while (Current.Kind == TokenKind.Operator && Current.Value is "*" or "/" or "//" or "%")
        {
            var op = Advance().Value;
            left = new BinaryExpr(op, left, ParsePow()) { Start = start, End = LastEnd };
        }

        return left;
    }

    private Expr ParsePow()
    {
        var start = Current.Position;
        var left = ParseUnary(withFilter: true);
        while (SkipOperator("**"))
        {
            left = new BinaryExpr("**", left, ParseUnary(withFilter: true)) { Start = start, End = LastEnd };
        }

        return left;
    }

    private Expr ParseUnary(bool withFilter)
    {
        var start = Current.Position;
        Expr node;
        if (Current.IsOperator("-") || Current.IsOperator("+"))
        {
            var op = Advance().Value[0];
            node = new UnaryExpr(op, ParseUnary(withFilter: false)) { Start = start, End = LastEnd };
        }
        else
        {
            node = ParsePrimary();
        }

        node = ParsePostfix(node);
        return withFilter ? ParseFilterExpr(node) : node;
    }

    private Expr ParsePrimary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.Name:
                _index++;
                if (_macroNames.Count > 0)
                {
                    foreach (var set in _macroNames)
                    {
                        set.Add(token.Value);
                    }
                }

                return token.Value switch
                {
                    "true" or "True" => new ConstExpr(true) { Start = token.Position, End = token.End },
                    "false" or "False" => new ConstExpr(false) { Start = token.Position, End = token.End },
                    "none" or "None" => new ConstExpr(null) { Start = token.Position, End = token.End },
                    _ => new NameExpr(token.Value) { Start = token.Position, End = token.End },
                };
            case TokenKind.String:
                _index++;
                var text = token.Value;
                while (Current.Kind == TokenKind.String)
                {
                    text += Advance().Value;
                }

                return new ConstExpr(text) { Start = token.Position, End = LastEnd };
            case TokenKind.Integer or TokenKind.Float:
                _index++;
                return new ConstExpr(token.Literal) { Start = token.Position, End = token.End };
            case TokenKind.Operator when token.Value == "(":
                _index++;
                var inner = ParseTuple(withCondExpr: true, explicitParentheses: true);
                Expect(TokenKind.Operator, ")");
                return inner;
            case TokenKind.Operator when token.Value == "[":
                return ParseList();
            case TokenKind.Operator when token.Value == "{":
                return ParseDict();
            case TokenKind.Eof:
                throw Fail(token, "unexpected end of template");
            default:
                throw Fail(token, $"unexpected {token.Describe()}");
        }
    }

    private ListExpr ParseList()
    {
        var start = Expect(TokenKind.Operator, "[");
        var items = new List<Expr>();
        while (!Current.IsOperator("]"))
        {
            if (items.Count > 0)
            {
                Expect(TokenKind.Operator, ",");
            }

            if (Current.IsOperator("]"))
            {
                break;
            }

            items.Add(ParseExpression());
        }

        Expect(TokenKind.Operator, "]");
        return new ListExpr([.. items], isTuple: false) { Start = start.Position, End = LastEnd };
    }

    private DictExpr ParseDict()
    {
        var start = Expect(TokenKind.Operator, "{");
        var keys = new List<Expr>();
        var values = new List<Expr>();
        while (!Current.IsOperator("}"))
        {
            if (keys.Count > 0)
            {
                Expect(TokenKind.Operator, ",");
            }

            if (Current.IsOperator("}"))
            {
                break;
            }

            keys.Add(ParseExpression());
            Expect(TokenKind.Operator, ":");
            values.Add(ParseExpression());
        }

        Expect(TokenKind.Operator, "}");
        return new DictExpr([.. keys], [.. values]) { Start = start.Position, End = LastEnd };
    }

    private Expr ParsePostfix(Expr node)
    {
        while (true)
        {
            if (Current.IsOperator(".") || Current.IsOperator("["))
            {
                node = ParseSubscript(node);
            }
            else if (Current.IsOperator("("))
            {
                node = new CallExpr(node, ParseCallArgs()) { Start = node.Start, End = LastEnd };
            }
            else
            {
                return node;
            }
        }
    }

    private Expr ParseFilterExpr(Expr node)
    {
        while (true)
        {
            if (Current.IsOperator("|"))
            {
                node = ParseFilterChain(node, startInline: false)!;
            }
            else if (Current.IsName("is"))
            {
                node = ParseTest(node);
            }
            else if (Current.IsOperator("("))
            {
                node = new CallExpr(node, ParseCallArgs()) { Start = node.Start, End = LastEnd };
            }
            else
            {
                return node;
            }
        }
    }
}
