namespace Peft.Tokenization.Templates.Syntax;

internal enum TokenKind
{
    Data,
    VariableBegin,
    VariableEnd,
    BlockBegin,
    BlockEnd,
    Name,
    String,
    Integer,
    Float,
    Operator,
    Eof,
}

/// <summary>One lexer token: <paramref name="Value"/> is the text (names, operators, data) or the decoded string
/// literal; <paramref name="Literal"/> holds the parsed number for integer and float tokens.</summary>
internal readonly record struct Token(TokenKind Kind, string Value, int Position, int End, object? Literal = null)
{
    public bool Is(TokenKind kind, string value) => Kind == kind && Value == value;

    public bool IsName(string value) => Kind == TokenKind.Name && Value == value;

    public bool IsOperator(string value) => Kind == TokenKind.Operator && Value == value;

    public string Describe() => Kind switch
    {
        TokenKind.Eof => "'end of template'",
        TokenKind.BlockEnd => "'end of statement block'",
        TokenKind.VariableEnd => "'end of print statement'",
        TokenKind.BlockBegin => "'begin of statement block'",
        TokenKind.VariableBegin => "'begin of print statement'",
        TokenKind.String => "'string literal'",
        TokenKind.Data => "'template data'",
        _ => Value.Length == 0 ? $"'{Kind.ToString().ToLowerInvariant()}'" : $"'{Value}'",
    };
}
