using Waylay.Mesh.Networking;
using Xunit;

namespace Waylay.Mesh.Tests.Networking;

public sealed class IstioDurationTests
{
    [Theory]
    [InlineData("1.5s", 1500)]
    [InlineData("300ms", 300)]
    [InlineData("1m", 60_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("0.1s", 100)]
    [InlineData("1.500s", 1500)]
    [InlineData("2000us", 2)]
    [InlineData("0s", 0)]
    [InlineData("15m", 900_000)]
    public void GoAndProtobufForms_Parse(string text, long milliseconds)
    {
        Assert.True(IstioDuration.TryParse(text, out var value, out var error), error);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("s")]
    [InlineData(".s")]
    [InlineData("100us")]
    [InlineData("1.0001s")]
    [InlineData("1d")]
    [InlineData("-1s")]
    [InlineData("99999999999999h")]
    public void Malformed_OrFinerThanAMillisecond_IsRefused(string text) => Assert.False(IstioDuration.TryParse(text, out _, out _));

    [Theory]
    [InlineData(1500, "1.5s")]
    [InlineData(300, "300ms")]
    [InlineData(120_000, "2m")]
    public void Format_IsShort(long milliseconds, string text) => Assert.Equal(text, IstioDuration.Format(TimeSpan.FromMilliseconds(milliseconds)));
}
