using Peft.Tokenization.Templates.Runtime;

namespace Peft.Tokenization.Templates.Syntax;

/// <summary>
/// Parses Jinja2 template tokens into statements, following Jinja2's grammar: the statements of the default
/// environment plus the loopcontrols extension (<c>break</c>/<c>continue</c>) and transformers' <c>generation</c> block.
/// Filters and tests are resolved here, so an unknown one fails at parse time as it does in Jinja2.
/// </summary>
internal sealed partial class Parser
{
    private static readonly HashSet<string> UnsupportedTags = ["block", "extends", "include", "import", "from", "autoescape", "trans", "pluralize", "do", "debug"];

    private readonly SourceText _source;
    private readonly List<Token> _tokens;
    private readonly Stack<string> _openBlocks = new();
    private readonly Stack<string[]> _endNames = new();
    private readonly Stack<HashSet<string>> _macroNames = new();
    private int _index;
    private int _loopDepth;

    /// <summary>Inside an <c>if</c> body Jinja2 defers unknown filters and tests to render time ("soft" frames).</summary>
    private bool _soft;

    private Parser(SourceText source)
    {
        _source = source;
        _tokens = Lexer.Tokenize(source);
    }

    private Token Current => _tokens[_index];

    public static Stmt[] Parse(SourceText source)
    {
        var parser = new Parser(source);
        return parser.Subparse(null);
    }

    private Token Peek(int offset = 1) => _tokens[Math.Min(_index + offset, _tokens.Count - 1)];

    private Token Advance() => _tokens[_index++];

    private bool SkipName(string name)
    {
        if (Current.IsName(name))
        {
            _index++;
            return true;
        }

        return false;
    }

    private bool SkipOperator(string op)
    {
        if (Current.IsOperator(op))
        {
            _index++;
            return true;
        }

        return false;
    }

    private Token Expect(TokenKind kind, string? value = null)
    {
        var token = Current;
        if (token.Kind != kind || (value is not null && token.Value != value))
        {
            var wanted = value is not null ? $"'{value}'" : new Token(kind, "", 0, 0).Describe();
            if (token.Kind == TokenKind.Eof)
            {
                throw Fail(token, $"unexpected end of template, expected {wanted}.");
            }

            throw Fail(token, $"expected token {wanted}, got {token.Describe()}");
        }

        _index++;
        return token;
    }

    private ChatTemplateException Fail(Token token, string message, string type = SyntaxErrors.SyntaxError) =>
        SyntaxErrors.At(_source, token.Position, Math.Max(token.End, token.Position + 1), message, type);

    private Stmt[] Subparse(string[]? endNames)
    {
        var body = new List<Stmt>();
        while (Current.Kind != TokenKind.Eof)
        {
            var token = Current;
            switch (token.Kind)
            {
                case TokenKind.Data:
                    _index++;
                    body.Add(new TextStmt(token.Value) { Start = token.Position, End = token.End });
                    break;
                case TokenKind.VariableBegin:
                    _index++;
                    var value = ParseTuple(withCondExpr: true);
                    var end = Expect(TokenKind.VariableEnd);
                    body.Add(new PrintStmt(value) { Start = token.Position, End = end.End });
                    break;
                case TokenKind.BlockBegin:
                    _index++;
                    if (endNames is not null && Current.Kind == TokenKind.Name && Array.IndexOf(endNames, Current.Value) >= 0)
                    {
                        return [.. body];
                    }

                    body.Add(ParseStatement(token));
                    Expect(TokenKind.BlockEnd);
                    break;
                default:
                    throw Fail(token, $"unexpected {token.Describe()}");
            }
        }

        if (endNames is not null)
        {
            throw FailEof(endNames);
        }

        return [.. body];
    }

    private ChatTemplateException FailEof(string[] endNames)
    {
        var looking = string.Join(" or ", endNames.Select(n => $"'{n}'"));
        var innermost = _openBlocks.Count > 0 ? $" The innermost block that needs to be closed is '{_openBlocks.Peek()}'." : "";
        var token = Current;
        return SyntaxErrors.At(
            _source,
            Math.Max(0, token.Position - 1),
            token.Position,
            $"Unexpected end of template. Jinja was looking for the following tags: {looking}.{innermost}");
    }

    private Stmt[] ParseSoftBody(string[] endNames, bool dropNeedle)
    {
        var soft = _soft;
        _soft = true;
        try
        {
            return ParseBodyCore(endNames, dropNeedle);
        }
        finally
        {
            _soft = soft;
        }
    }

    /// <summary>Jinja2's parse_statements: expects the end of the opening tag, then parses until one of <paramref name="endNames"/>.</summary>
    private Stmt[] ParseBody(string[] endNames, bool dropNeedle)
    {
        var soft = _soft;
        _soft = false;
        try
        {
            return ParseBodyCore(endNames, dropNeedle);
        }
        finally
        {
            _soft = soft;
        }
    }

    private Stmt[] ParseBodyCore(string[] endNames, bool dropNeedle)
    {
        SkipOperator(":");
        Expect(TokenKind.BlockEnd);
        _endNames.Push(endNames);
        Stmt[] body;
        try
        {
            body = Subparse(endNames);
        }
        finally
        {
            _endNames.Pop();
        }

        if (dropNeedle)
        {
            _index++;
        }

        return body;
    }

    private Stmt ParseStatement(Token blockBegin)
    {
        var token = Current;
        if (token.Kind != TokenKind.Name)
        {
            throw Fail(token, "tag name expected");
        }

        _openBlocks.Push(token.Value);
        try
        {
            return token.Value switch
            {
                "for" => ParseFor(blockBegin),
                "if" => ParseIf(blockBegin),
                "set" => ParseSet(blockBegin),
                "macro" => ParseMacro(blockBegin),
                "call" => ParseCallBlock(blockBegin),
                "filter" => ParseFilterBlock(blockBegin),
                "with" => ParseWith(blockBegin),
                "generation" => ParseGeneration(blockBegin),
                "break" or "continue" => ParseLoopControl(blockBegin),
                _ when UnsupportedTags.Contains(token.Value) => throw Fail(
                    token,
                    $"The '{token.Value}' tag is not supported: transformers renders a chat template as one self-contained template without a loader or extensions beyond loopcontrols",
                    SyntaxErrors.NotSupported),
                _ => throw FailUnknownTag(token),
            };
        }
        finally
        {
            _openBlocks.Pop();
        }
    }

    private ChatTemplateException FailUnknownTag(Token token)
    {
        var message = $"Encountered unknown tag '{token.Value}'.";
        if (_endNames.Count > 0 && _openBlocks.Count > 1)
        {
            var looking = string.Join(" or ", _endNames.Peek().Select(n => $"'{n}'"));
            message += $" Jinja was looking for the following tags: {looking}. The innermost block that needs to be closed is '{_openBlocks.ElementAt(1)}'.";
        }

        return Fail(token, message);
    }

    private ForStmt ParseFor(Token begin)
    {
        _index++;
        var target = ParseAssignTarget(extraEnd: "in");
        Expect(TokenKind.Name, "in");
        var iterable = ParseTuple(withCondExpr: false, extraEnd: "recursive");
        Expr? filter = null;
        if (SkipName("if"))
        {
            filter = ParseExpression();
        }

        var recursive = SkipName("recursive");
        if (recursive)
        {
            throw Fail(_tokens[_index - 1], "recursive for loops are not supported by this renderer", SyntaxErrors.NotSupported);
        }

        _loopDepth++;
        var body = ParseBody(["endfor", "else"], dropNeedle: false);
        _loopDepth--;
        Stmt[]? otherwise = null;
        if (Advance().Value == "else")
        {
            otherwise = ParseBody(["endfor"], dropNeedle: true);
        }

        return new ForStmt(target, iterable, filter, body, otherwise, recursive) { Start = begin.Position, End = Current.End };
    }

    private IfStmt ParseIf(Token begin)
    {
        var soft = _soft;
        _soft = true;
        try
        {
            return ParseIfCore(begin);
        }
        finally
        {
            _soft = soft;
        }
    }

    private IfStmt ParseIfCore(Token begin)
    {
        _index++;
        var conditions = new List<Expr>();
        var bodies = new List<Stmt[]>();
        Stmt[]? otherwise = null;
        while (true)
        {
            conditions.Add(ParseTuple(withCondExpr: false));
            bodies.Add(ParseSoftBody(["elif", "else", "endif"], dropNeedle: false));
            var token = Advance();
            if (token.Value == "elif")
            {
                continue;
            }

            if (token.Value == "else")
            {
                otherwise = ParseSoftBody(["endif"], dropNeedle: true);
            }

            break;
        }

        return new IfStmt([.. conditions], [.. bodies], otherwise) { Start = begin.Position, End = Current.End };
    }

    private Stmt ParseSet(Token begin)
    {
        _index++;
        var target = ParseAssignTarget(withNamespace: true);
        if (SkipOperator("="))
        {
            var value = ParseTuple(withCondExpr: true);
            return new SetStmt(target, value) { Start = begin.Position, End = Current.End };
        }

        var filter = Current.IsOperator("|") ? ParseFilterChain(null, startInline: false) : null;
        var body = ParseBody(["endset"], dropNeedle: true);
        return new SetBlockStmt(target, body, filter) { Start = begin.Position, End = Current.End };
    }

    private Target ParseAssignTarget(string? extraEnd = null, bool withNamespace = false)
    {
        var start = Current;
        if (withNamespace && start.Kind == TokenKind.Name && Peek().IsOperator("."))
        {
            _index += 2;
            var attribute = Expect(TokenKind.Name);
            return new NamespaceTarget(start.Value, attribute.Value) { Start = start.Position, End = attribute.End };
        }

        var expr = ParseTuple(withCondExpr: true, extraEnd: extraEnd, simplified: true);
        return ToTarget(expr, start);
    }

    private Target ToTarget(Expr expr, Token at) => expr switch
    {
        NameExpr n => new NameTarget(n.Name) { Start = n.Start, End = n.End },
        ListExpr { IsTuple: true } t => new TupleTarget(t.Items.Select(i => ToTarget(i, at)).ToArray()) { Start = t.Start, End = t.End },
        _ => throw SyntaxErrors.At(_source, expr.Start, expr.End, $"can't assign to '{DescribeNode(expr)}'"),
    };

    private static string DescribeNode(Expr expr) => expr switch
    {
        ConstExpr => "const",
        ListExpr { IsTuple: false } => "list",
        DictExpr => "dict",
        _ => expr.GetType().Name.Replace("Expr", "", StringComparison.Ordinal).ToLowerInvariant(),
    };
}
