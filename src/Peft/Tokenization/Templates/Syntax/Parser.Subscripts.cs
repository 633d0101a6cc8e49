namespace Peft.Tokenization.Templates.Syntax;

/// <summary>Attribute access, subscripts and slices.</summary>
internal sealed partial class Parser
{
    private Expr ParseSubscript(Expr node)
    {
        var token = Advance();
        if (token.Value == ".")
        {
            var attribute = Advance();
            if (attribute.Kind == TokenKind.Name)
            {
                return new GetAttrExpr(node, attribute.Value) { Start = node.Start, End = attribute.End };
            }

            if (attribute.Kind != TokenKind.Integer)
            {
                throw Fail(attribute, "expected name or number");
            }

            var index = new ConstExpr(attribute.Literal) { Start = attribute.Position, End = attribute.End };
            return new GetItemExpr(node, index) { Start = node.Start, End = attribute.End };
        }

        var args = new List<Expr>();
        var open = token.Position;
        while (!Current.IsOperator("]"))
        {
            if (args.Count > 0)
            {
                Expect(TokenKind.Operator, ",");
            }

            args.Add(ParseSubscribed());
        }

        Expect(TokenKind.Operator, "]");
        var arg = args.Count == 1 ? args[0] : new ListExpr([.. args], isTuple: true) { Start = open, End = LastEnd };
        return new GetItemExpr(node, arg) { Start = node.Start, End = LastEnd };
    }

    private Expr ParseSubscribed()
    {
        var start = Current.Position;
        Expr? first = null;
        if (!SkipOperator(":"))
        {
            first = ParseExpression();
            if (!SkipOperator(":"))
            {
                return first;
            }
        }

        Expr? stop = null;
        Expr? step = null;
        if (!Current.IsOperator(":") && !Current.IsOperator("]") && !Current.IsOperator(","))
        {
            stop = ParseExpression();
        }

        if (SkipOperator(":") && !Current.IsOperator("]") && !Current.IsOperator(","))
        {
            step = ParseExpression();
        }

        return new SliceExpr(first, stop, step) { Start = start, End = LastEnd };
    }
}
