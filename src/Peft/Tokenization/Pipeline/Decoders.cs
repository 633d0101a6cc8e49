using System.Text;

namespace Peft.Tokenization.Pipeline;

/// <summary>A <c>tokenizer.json</c> decoder: rewrites the list of token strings; the text is their concatenation.</summary>
internal abstract class TokenDecoder
{
    public abstract List<string> DecodeChain(List<string> tokens);

    /// <summary>Decodes token strings to text (Hugging Face's <c>decode</c>: the chain's output joined).</summary>
    public string Decode(List<string> tokens) => string.Concat(DecodeChain(tokens));
}

/// <summary><c>Sequence</c>: decoders applied in order.</summary>
internal sealed class SequenceDecoder(IReadOnlyList<TokenDecoder> steps) : TokenDecoder
{
    public override List<string> DecodeChain(List<string> tokens)
    {
        foreach (var step in steps)
        {
            tokens = step.DecodeChain(tokens);
        }

        return tokens;
    }
}

/// <summary>
/// <c>ByteLevel</c>: maps every char back to its byte and decodes the bytes as UTF-8 (invalid sequences become
/// U+FFFD). A token with a char outside the byte alphabet (an added token such as "你好") contributes its own UTF-8.
/// </summary>
internal sealed class ByteLevelDecoder : TokenDecoder
{
    public override List<string> DecodeChain(List<string> tokens)
    {
        var bytes = new List<byte>(tokens.Count * 4);
        foreach (var token in tokens)
        {
            if (!ByteLevelAlphabet.TryDecode(token, bytes))
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(token));
            }
        }

        return [Encoding.UTF8.GetString(bytes.ToArray())];
    }
}

/// <summary><c>Metaspace</c>: "▁" becomes a space, except in the first token when a prefix was prepended.</summary>
internal sealed class MetaspaceDecoder(char replacement, PrependScheme scheme) : TokenDecoder
{
    public override List<string> DecodeChain(List<string> tokens)
    {
        var result = new List<string>(tokens.Count);
        for (var i = 0; i < tokens.Count; i++)
        {
            var builder = new StringBuilder(tokens[i].Length);
            foreach (var c in tokens[i])
            {
                if (c != replacement)
                {
                    builder.Append(c);
                }
                else if (i != 0 || scheme == PrependScheme.Never)
                {
                    builder.Append(' ');
                }
            }

            result.Add(builder.ToString());
        }

        return result;
    }
}

/// <summary><c>Replace</c>: replaces a pattern in each token.</summary>
internal sealed class ReplaceDecoder(UnicodeRegex pattern, string content) : TokenDecoder
{
    public override List<string> DecodeChain(List<string> tokens)
    {
        var matches = new List<(int Start, int Length)>();
        var result = new List<string>(tokens.Count);
        foreach (var token in tokens)
        {
            matches.Clear();
            pattern.Matches(token, 0, token.Length, matches);
            if (matches.Count == 0)
            {
                result.Add(token);
                continue;
            }

            var builder = new StringBuilder(token.Length);
            var position = 0;
            foreach (var (start, length) in matches)
            {
                builder.Append(token, position, start - position).Append(content);
                position = start + length;
            }

            result.Add(builder.Append(token, position, token.Length - position).ToString());
        }

        return result;
    }
}

/// <summary>
/// <c>ByteFallback</c>: runs of <c>&lt;0xNN&gt;</c> tokens become the text their bytes spell; a run that is not valid
/// UTF-8 becomes one U+FFFD per byte, as in Hugging Face.
/// </summary>
internal sealed class ByteFallbackDecoder : TokenDecoder
{
    private static readonly UTF8Encoding s_strict = new(false, throwOnInvalidBytes: true);

    public override List<string> DecodeChain(List<string> tokens)
    {
        var result = new List<string>(tokens.Count);
        var pending = new List<byte>();
        foreach (var token in tokens)
        {
            if (TryParseByte(token, out var b))
            {
                pending.Add(b);
                continue;
            }

            Flush(pending, result);
            result.Add(token);
        }

        Flush(pending, result);
        return result;
    }

    internal static bool TryParseByte(string token, out byte value)
    {
        value = 0;
        return token.Length == 6 && token.StartsWith("<0x", StringComparison.Ordinal) && token[5] == '>'
            && byte.TryParse(token.AsSpan(3, 2), System.Globalization.NumberStyles.AllowHexSpecifier, null, out value);
    }

    private static void Flush(List<byte> pending, List<string> result)
    {
        if (pending.Count == 0)
        {
            return;
        }

        try
        {
            result.Add(s_strict.GetString(pending.ToArray()));
        }
        catch (DecoderFallbackException)
        {
            for (var i = 0; i < pending.Count; i++)
            {
                result.Add("\uFFFD");
            }
        }

        pending.Clear();
    }
}

/// <summary><c>Fuse</c>: joins all tokens into one.</summary>
internal sealed class FuseDecoder : TokenDecoder
{
    public override List<string> DecodeChain(List<string> tokens) => [string.Concat(tokens)];
}

/// <summary><c>Strip</c>: removes up to <c>start</c> leading and <c>stop</c> trailing <c>content</c> chars of each token.</summary>
internal sealed class StripDecoder(char content, int start, int stop) : TokenDecoder
{
    public override List<string> DecodeChain(List<string> tokens)
    {
        var result = new List<string>(tokens.Count);
        foreach (var token in tokens)
        {
            var left = 0;
            while (left < start && left < token.Length && token[left] == content)
            {
                left++;
            }

            var right = token.Length;
            var removed = 0;
            while (removed < stop && right > left && token[right - 1] == content)
            {
                right--;
                removed++;
            }

            result.Add(token[left..right]);
        }

        return result;
    }
}

/// <summary><c>BPEDecoder</c>: the end-of-word suffix becomes a space (nothing after the last token).</summary>
internal sealed class BpeSuffixDecoder(string suffix) : TokenDecoder
{
    public override List<string> DecodeChain(List<string> tokens) =>
        tokens.Select((t, i) => t.Replace(suffix, i == tokens.Count - 1 ? string.Empty : " ", StringComparison.Ordinal)).ToList();
}
