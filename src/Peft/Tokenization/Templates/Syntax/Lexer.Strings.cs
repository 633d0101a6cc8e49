using Peft.Tokenization.Templates.Runtime;
using System.Globalization;
using System.Text;

namespace Peft.Tokenization.Templates.Syntax;

/// <summary>String literals, decoded with Python's unicode-escape rules as Jinja2 does.</summary>
internal sealed partial class Lexer
{
    private void LexString(int begin, char quote)
    {
        var i = begin + 1;
        while (i < _s.Length && _s[i] != quote)
        {
            i += _s[i] == '\\' ? 2 : 1;
        }

        if (i >= _s.Length)
        {
            throw SyntaxErrors.At(_source, begin, begin + 1, $"unexpected char {PyRepr.Repr(quote.ToString())} at {begin}");
        }

        var value = Unescape(begin, _s.AsSpan(begin + 1, i - begin - 1));
        Emit(TokenKind.String, value, begin, i + 1);
        _pos = i + 1;
    }

    /// <summary>Python's unicode-escape decoding, which Jinja2 applies to string literals.</summary>
    private string Unescape(int begin, ReadOnlySpan<char> raw)
    {
        if (raw.IndexOf('\\') < 0)
        {
            return raw.ToString();
        }

        var sb = new StringBuilder(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c != '\\' || i + 1 >= raw.Length)
            {
                sb.Append(c);
                continue;
            }

            var e = raw[++i];
            switch (e)
            {
                case '\n': break;
                case '\\': sb.Append('\\'); break;
                case '\'': sb.Append('\''); break;
                case '"': sb.Append('"'); break;
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'v': sb.Append('\v'); break;
                case 'x': sb.Append(HexEscape(begin, raw, ref i, 2)); break;
                case 'u': sb.Append(HexEscape(begin, raw, ref i, 4)); break;
                case 'U': sb.Append(HexEscape(begin, raw, ref i, 8)); break;
                case >= '0' and <= '7':
                    var value = e - '0';
                    for (var k = 0; k < 2 && i + 1 < raw.Length && raw[i + 1] is >= '0' and <= '7'; k++)
                    {
                        value = (value * 8) + (raw[++i] - '0');
                    }

                    sb.Append(char.ConvertFromUtf32(value));
                    break;
                case 'N':
                    throw SyntaxErrors.At(_source, begin, begin + raw.Length + 2, "named unicode escapes (\\N{...}) are not supported", SyntaxErrors.NotSupported);
                default:
                    sb.Append('\\').Append(e);
                    break;
            }
        }

        return sb.ToString();
    }

    private string HexEscape(int begin, ReadOnlySpan<char> raw, ref int i, int digits)
    {
        if (i + digits >= raw.Length)
        {
            throw SyntaxErrors.At(_source, begin, begin + raw.Length + 2, $"truncated \\{raw[i]} escape in string literal");
        }

        var hex = raw.Slice(i + 1, digits);
        if (!int.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code) || code > 0x10FFFF)
        {
            throw SyntaxErrors.At(_source, begin, begin + raw.Length + 2, $"truncated or invalid \\{raw[i]} escape in string literal");
        }

        i += digits;
        return code is >= 0xD800 and <= 0xDFFF ? ((char)code).ToString() : char.ConvertFromUtf32(code);
    }
}
