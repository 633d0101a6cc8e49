using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Peft.Tokenization.Templates.Runtime;

namespace Peft.Tokenization.Templates.Syntax;

/// <summary>
/// Splits template text into tokens exactly as Jinja2's lexer does with <c>trim_blocks=True</c> and
/// <c>lstrip_blocks=True</c>: <c>{%- / -%}</c> strip all whitespace on that side; <c>{%+</c> and <c>+%}</c> keep it;
/// otherwise a block or comment tag eats one newline after it and the spaces/tabs before it on its own line.
/// </summary>
internal sealed partial class Lexer
{
    private static readonly string[] Operators =
    [
        "//", "**", "==", "!=", ">=", "<=",
        "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";",
    ];

    private readonly SourceText _source;
    private readonly string _s;
    private readonly List<Token> _tokens = [];
    private int _pos;
    private bool _lineStarting = true;

    private Lexer(SourceText source)
    {
        _source = source;
        _s = source.Text;
    }

    public static List<Token> Tokenize(SourceText source)
    {
        var lexer = new Lexer(source);
        lexer.Run();
        lexer._tokens.Add(new Token(TokenKind.Eof, "", source.Text.Length, source.Text.Length));
        return lexer._tokens;
    }

    [GeneratedRegex(@"\G\{%([-+]?)\s*raw\s*(?:-%\}\s*|%\})")]
    private static partial Regex RawBegin();

    [GeneratedRegex(@"\{%([-+]?)\s*endraw\s*(?:\+%\}|-%\}\s*|%\}\n?)", RegexOptions.Singleline)]
    private static partial Regex RawEnd();

    [GeneratedRegex(@"\G(?:\d+_)*\d+(?:(?:\.(?:\d+_)*\d+)?[eE][+\-]?(?:\d+_)*\d+|\.(?:\d+_)*\d+)")]
    private static partial Regex FloatLiteral();

    [GeneratedRegex(@"\G(?:0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|0[xX](?:_?[0-9a-fA-F])+|[1-9](?:_?\d)*|0(?:_?0)*)")]
    private static partial Regex IntegerLiteral();

    private void Run()
    {
        while (_pos < _s.Length)
        {
            var tag = FindTagStart(_pos);
            if (tag < 0)
            {
                Emit(TokenKind.Data, _s[_pos..], _pos, _s.Length);
                _pos = _s.Length;
                return;
            }

            var kind = _s[tag + 1];
            var sign = tag + 2 < _s.Length && (_s[tag + 2] == '-' || _s[tag + 2] == '+') ? _s[tag + 2] : '\0';
            var text = _s[_pos..tag];
            if (sign == '-')
            {
                text = PyString.RStrip(text);
            }
            else if (sign != '+' && kind != '{')
            {
                text = LStripBlock(text);
            }

            if (text.Length > 0)
            {
                Emit(TokenKind.Data, text, _pos, _pos + text.Length);
            }

            if (kind == '%' && RawBegin().Match(_s, tag) is { Success: true } raw)
            {
                LexRaw(tag, raw.Index + raw.Length);
                continue;
            }

            var contentStart = tag + 2 + (sign == '\0' ? 0 : 1);
            switch (kind)
            {
                case '#':
                    LexComment(tag, contentStart);
                    break;
                case '%':
                    Emit(TokenKind.BlockBegin, "{%", tag, contentStart);
                    LexInside(contentStart, block: true);
                    break;
                default:
                    Emit(TokenKind.VariableBegin, "{{", tag, contentStart);
                    LexInside(contentStart, block: false);
                    break;
            }
        }
    }

    private int FindTagStart(int from)
    {
        var i = from;
        while ((i = _s.IndexOf('{', i)) >= 0 && i + 1 < _s.Length)
        {
            var c = _s[i + 1];
            if (c == '{' || c == '%' || c == '#')
            {
                return i;
            }

            i++;
        }

        return -1;
    }

    /// <summary>lstrip_blocks: drop spaces and tabs between the last line start and a block or comment tag.</summary>
    private string LStripBlock(string text)
    {
        var lineStart = text.LastIndexOf('\n') + 1;
        if (lineStart == 0 && !_lineStarting)
        {
            return text;
        }

        for (var i = lineStart; i < text.Length; i++)
        {
            if (text[i] != ' ' && text[i] != '\t')
            {
                return text;
            }
        }

        return text[..lineStart];
    }

    private void LexComment(int tag, int contentStart)
    {
        var close = _s.IndexOf("#}", contentStart, StringComparison.Ordinal);
        if (close < 0)
        {
            throw SyntaxErrors.At(_source, tag, _s.Length, "Missing end of comment tag");
        }

        var sign = close > contentStart && (_s[close - 1] == '-' || _s[close - 1] == '+') ? _s[close - 1] : '\0';
        _pos = close + 2;
        ConsumeAfterClose(sign, allowTrim: true);
    }

    private void LexRaw(int tag, int bodyStart)
    {
        var end = RawEnd().Match(_s, bodyStart);
        if (!end.Success)
        {
            throw SyntaxErrors.At(_source, tag, bodyStart, "Missing end of raw directive");
        }

        var text = _s[bodyStart..end.Index];
        var sign = end.Groups[1].Value;
        text = sign == "-" ? PyString.RStrip(text) : sign == "+" ? text : LStripBlock(text);
        if (text.Length > 0)
        {
            Emit(TokenKind.Data, text, bodyStart, bodyStart + text.Length);
        }

        _pos = end.Index + end.Length;
        _lineStarting = _pos > 0 && _s[_pos - 1] == '\n';
    }

    /// <summary>After <c>%}</c>, <c>}}</c> or <c>#}</c>: <c>-</c> eats all whitespace, <c>+</c> nothing, otherwise trim_blocks eats one newline.</summary>
    private void ConsumeAfterClose(char sign, bool allowTrim)
    {
        if (sign == '-')
        {
            while (_pos < _s.Length && PyString.IsSpace(_s[_pos]))
            {
                _pos++;
            }
        }
        else if (sign != '+' && allowTrim && _pos < _s.Length && _s[_pos] == '\n')
        {
            _pos++;
        }

        _lineStarting = _pos > 0 && _s[_pos - 1] == '\n';
    }

    private void LexInside(int start, bool block)
    {
        _pos = start;
        var balance = new Stack<char>();
        var endText = block ? "%}" : "}}";
        while (true)
        {
            if (_pos >= _s.Length)
            {
                return; // The parser reports the missing end tag.
            }

            if (balance.Count == 0 && TryClose(block, endText))
            {
                return;
            }

            var c = _s[_pos];
            if (PyString.IsSpace(c))
            {
                _pos++;
                continue;
            }

            var begin = _pos;
            if (char.IsAsciiDigit(c))
            {
                LexNumber(begin);
                continue;
            }

            if (char.IsLetter(c) || c == '_')
            {
                var end = begin + 1;
                while (end < _s.Length && (char.IsLetterOrDigit(_s[end]) || _s[end] == '_'))
                {
                    end++;
                }

                Emit(TokenKind.Name, _s[begin..end], begin, end);
                _pos = end;
                continue;
            }

            if (c == '\'' || c == '"')
            {
                LexString(begin, c);
                continue;
            }

            var op = Array.Find(Operators, o => string.CompareOrdinal(_s, begin, o, 0, o.Length) == 0)
                ?? throw SyntaxErrors.At(_source, begin, begin + 1, $"unexpected char {PyRepr.Repr(c.ToString())} at {begin}");
            TrackBalance(balance, op, begin);
            Emit(TokenKind.Operator, op, begin, begin + op.Length);
            _pos = begin + op.Length;
        }
    }

    private bool TryClose(bool block, string endText)
    {
        var c = _s[_pos];
        if (c == '-' && string.CompareOrdinal(_s, _pos + 1, endText, 0, 2) == 0)
        {
            Emit(block ? TokenKind.BlockEnd : TokenKind.VariableEnd, endText, _pos, _pos + 3);
            _pos += 3;
            ConsumeAfterClose('-', block);
            return true;
        }

        if (block && c == '+' && string.CompareOrdinal(_s, _pos + 1, endText, 0, 2) == 0)
        {
            Emit(TokenKind.BlockEnd, endText, _pos, _pos + 3);
            _pos += 3;
            ConsumeAfterClose('+', true);
            return true;
        }

        if (string.CompareOrdinal(_s, _pos, endText, 0, 2) == 0)
        {
            Emit(block ? TokenKind.BlockEnd : TokenKind.VariableEnd, endText, _pos, _pos + 2);
            _pos += 2;
            ConsumeAfterClose('\0', block);
            return true;
        }

        return false;
    }

    private void TrackBalance(Stack<char> balance, string op, int at)
    {
        switch (op)
        {
            case "(":
                balance.Push(')');
                break;
            case "[":
                balance.Push(']');
                break;
            case "{":
                balance.Push('}');
                break;
            case ")" or "]" or "}":
                if (balance.Count == 0)
                {
                    throw SyntaxErrors.At(_source, at, at + 1, $"unexpected '{op}'");
                }

                var expected = balance.Pop();
                if (expected != op[0])
                {
                    throw SyntaxErrors.At(_source, at, at + 1, $"unexpected '{op}', expected '{expected}'");
                }

                break;
        }
    }

    private void LexNumber(int begin)
    {
        var f = FloatLiteral().Match(_s, begin);
        if (f.Success)
        {
            var text = f.Value.Replace("_", "", StringComparison.Ordinal);
            Emit(TokenKind.Float, f.Value, begin, begin + f.Length, double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
            _pos = begin + f.Length;
            return;
        }

        var m = IntegerLiteral().Match(_s, begin);
        var digits = m.Value.Replace("_", "", StringComparison.Ordinal);
        long value;
        try
        {
            value = digits.Length > 1 && char.IsAsciiLetter(digits[1])
                ? Convert.ToInt64(digits[2..], char.ToLowerInvariant(digits[1]) switch { 'x' => 16, 'o' => 8, _ => 2 })
                : long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        }
        catch (OverflowException)
        {
            throw SyntaxErrors.At(_source, begin, begin + m.Length, "integer literal does not fit in 64 bits", SyntaxErrors.NotSupported);
        }

        Emit(TokenKind.Integer, m.Value, begin, begin + m.Length, value);
        _pos = begin + m.Length;
    }

    private void Emit(TokenKind kind, string value, int start, int end, object? literal = null) =>
        _tokens.Add(new Token(kind, value, start, end, literal));
}
