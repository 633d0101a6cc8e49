using FluentAssertions;
using Peft.Generation;
using Xunit;

namespace Peft.Tests.Generation;

public sealed class TextDecoderTests
{
    [Fact]
    public void IncompleteMultiByteCharactersAreHeldBack()
    {
        var decoder = new TextDecoder(new ByteCodec(), Array.Empty<string>());
        decoder.Add(0);                                   // "a"
        decoder.Release(false, false).Should().Be("a");
        decoder.Add(60);                                  // first byte of "é"
        decoder.Release(false, false).Should().BeEmpty();
        decoder.Add(61);                                  // completes "é"
        decoder.Release(false, false).Should().Be("é");
        decoder.FinalText(false).Should().Be("aé");
    }

    [Fact]
    public void TailsThatMightBecomeAStopStringAreHeldBack()
    {
        var codec = new ByteCodec();
        var decoder = new TextDecoder(codec, new[] { "xyz" });
        foreach (var id in codec.Encode("abcx", false))
        {
            decoder.Add(id).Should().BeTrue();
        }

        decoder.Release(false, false).Should().Be("ab", "'cx' could still grow into the stop string");
        decoder.Add(codec.Encode("y", false)[0]).Should().BeTrue();
        decoder.Add(codec.Encode("z", false)[0]).Should().BeFalse();
        decoder.Release(false, false).Should().Be("c");
        decoder.FinalText(false).Should().Be("abc");
        decoder.FinalText(true).Should().Be("abcxyz");
    }
}
