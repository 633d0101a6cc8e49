using System.Text;

namespace Peft.Tokenization.Pipeline;

/// <summary>
/// GPT-2's reversible byte-to-character table used by byte-level BPE: printable Latin-1 bytes map to themselves and
/// the other 68 bytes map to U+0100..U+0143 (so the space byte 0x20 becomes 'Ġ', U+0120).
/// </summary>
internal static class ByteLevelAlphabet
{
    private static readonly char[] s_byteToChar = BuildTable();
    private static readonly Dictionary<char, byte> s_charToByte = BuildReverse();

    /// <summary>The character that stands for <paramref name="b"/>.</summary>
    public static char ToChar(byte b) => s_byteToChar[b];

    /// <summary>The byte a character stands for, or false when the character is not in the alphabet.</summary>
    public static bool TryGetByte(char c, out byte b) => s_charToByte.TryGetValue(c, out b);

    /// <summary>Maps text to its byte-level form: UTF-8 bytes, each shown as one alphabet character.</summary>
    public static string Encode(ReadOnlySpan<char> text)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        Span<byte> bytes = max <= 512 ? stackalloc byte[max] : new byte[max];
        var count = Encoding.UTF8.GetBytes(text, bytes);
        return string.Create(count, bytes[..count].ToArray(), static (dst, src) =>
        {
            for (var i = 0; i < src.Length; i++)
            {
                dst[i] = s_byteToChar[src[i]];
            }
        });
    }

    /// <summary>
    /// Appends the bytes a byte-level token stands for. Returns false (appending nothing) when the token contains a
    /// character outside the alphabet; callers then use the token's own UTF-8 bytes, as Hugging Face does.
    /// </summary>
    public static bool TryDecode(string token, List<byte> output)
    {
        foreach (var c in token)
        {
            if (!s_charToByte.ContainsKey(c))
            {
                return false;
            }
        }

        foreach (var c in token)
        {
            output.Add(s_charToByte[c]);
        }

        return true;
    }

    private static char[] BuildTable()
    {
        var table = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = printable ? (char)b : (char)next++;
        }

        return table;
    }

    private static Dictionary<char, byte> BuildReverse()
    {
        var reverse = new Dictionary<char, byte>(256);
        for (var b = 0; b < 256; b++)
        {
            reverse[s_byteToChar[b]] = (byte)b;
        }

        return reverse;
    }
}
