using Peft.Tokenization;
using System.Text;
using Peft.Generation;

namespace Peft.Tests.Generation;

/// <summary>
/// A test tokenizer for 64-token models: ids 0..51 are the letters a–z and A–Z, 52..59 are punctuation and
/// space, and 60..63 are raw UTF-8 bytes (0xC3, 0xA9, 0xE2, 0x82) so multi-byte characters can be split
/// across tokens. Id 2 doubles as EOS.
/// </summary>
internal sealed class ByteCodec : ITokenCodec
{
    private const string Printable = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ .,!?-:;";
    private static readonly byte[] RawBytes = { 0xC3, 0xA9, 0xE2, 0x82 };

    public IReadOnlyList<long> EndOfSequenceIds { get; init; } = Array.Empty<long>();

    public IReadOnlyList<long> Encode(string text, bool addSpecialTokens) =>
        text.Select(c => (long)Printable.IndexOf(c)).Select(i => i < 0 ? throw new ArgumentException($"'{text}'") : i).ToArray();

    public string Decode(IReadOnlyList<long> ids, bool skipSpecialTokens)
    {
        var bytes = new List<byte>();
        foreach (var id in ids)
        {
            if (id < Printable.Length)
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(Printable[(int)id].ToString()));
            }
            else
            {
                bytes.Add(RawBytes[id - 60]);
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
