using System.Text;
using Waylay.Proxy.Http.Headers;
using Xunit;

namespace Waylay.Proxy.Telemetry.Tests.Headers;

/// <summary>The trace ids' hex, parsed from a table: every byte value, every width, either case.</summary>
public sealed class HexTests
{
    [Fact]
    public void EveryByteIsADigitExactlyWhenItIsHex()
    {
        for (var b = 0; b < 256; b++)
        {
            var c = (char)b;
            var expected = c is >= '0' and <= '9' ? c - '0' : c is >= 'a' and <= 'f' ? c - 'a' + 10 : c is >= 'A' and <= 'F' ? c - 'A' + 10 : -1;
            var parsed = Hex.TryParse([(byte)b], out var value);
            Assert.True(parsed == (expected >= 0), $"byte 0x{b:x2}");
            Assert.Equal(parsed ? (ulong)expected : 0, value);
        }
    }

    [Theory]
    [InlineData(0ul)]
    [InlineData(1ul)]
    [InlineData(0x64fe8b2a57d3eff7ul)]
    [InlineData(ulong.MaxValue)]
    public void SixteenDigitsRoundTripInEitherCase(ulong id)
    {
        Span<byte> digits = stackalloc byte[16];
        Hex.Write(digits, id);

        Assert.True(Hex.TryParse(digits, out var lower));
        Assert.True(Hex.TryParse(Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(digits).ToUpperInvariant()), out var upper));
        Assert.Equal((id, id), (lower, upper));
    }

    [Theory]
    [InlineData("", false, 0ul)]
    [InlineData("f", true, 0xful)]
    [InlineData("00000000000000001", false, 0ul)] // 17 digits: more than 64 bits' width
    [InlineData("e457b5a2e4d86bd", true, 0xe457b5a2e4d86bdul)]
    [InlineData("e457b5a2e4d86bdg", false, 0ul)] // the last one is no digit
    [InlineData("g457b5a2e4d86bd1", false, 0ul)]
    [InlineData("e457b5a2-4d86bd1", false, 0ul)]
    public void WidthsAndNonDigits(string text, bool parses, ulong expected)
    {
        Assert.Equal(parses, Hex.TryParse(Encoding.Latin1.GetBytes(text), out var value));
        Assert.Equal(expected, value);
    }

    [Fact]
    public void W3cTakesLowerCaseOnly()
    {
        Assert.True(Hex.TryParseLower("4bf92f3577b34da6"u8, out var value));
        Assert.Equal(0x4bf92f3577b34da6ul, value);
        Assert.False(Hex.TryParseLower("4BF92F3577B34DA6"u8, out _));
    }
}
