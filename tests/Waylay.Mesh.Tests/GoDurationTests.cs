using Xunit;

namespace Waylay.Mesh.Tests;

/// <summary>The cases of Go's own <c>time_test.go</c> (ParseDuration and Duration.String), so the two agree exactly.</summary>
public sealed class GoDurationTests
{
    private const long Us = 1_000, Ms = 1_000_000, S = 1_000_000_000, M = 60 * S, H = 60 * M;

    [Theory]
    // simple
    [InlineData("0", 0)]
    [InlineData("5s", 5 * S)]
    [InlineData("30s", 30 * S)]
    [InlineData("1478s", 1478 * S)]
    // sign
    [InlineData("-5s", -5 * S)]
    [InlineData("+5s", 5 * S)]
    [InlineData("-0", 0)]
    [InlineData("+0", 0)]
    // decimal
    [InlineData("5.0s", 5 * S)]
    [InlineData("5.6s", (5 * S) + (600 * Ms))]
    [InlineData("5.s", 5 * S)]
    [InlineData(".5s", 500 * Ms)]
    [InlineData("1.0s", S)]
    [InlineData("1.00s", S)]
    [InlineData("1.004s", S + (4 * Ms))]
    [InlineData("1.0040s", S + (4 * Ms))]
    [InlineData("100.00100s", (100 * S) + Ms)]
    // units
    [InlineData("10ns", 10)]
    [InlineData("11us", 11 * Us)]
    [InlineData("12µs", 12 * Us)] // U+00B5 micro sign
    [InlineData("12μs", 12 * Us)] // U+03BC Greek mu
    [InlineData("13ms", 13 * Ms)]
    [InlineData("14s", 14 * S)]
    [InlineData("15m", 15 * M)]
    [InlineData("16h", 16 * H)]
    // composite
    [InlineData("3h30m", (3 * H) + (30 * M))]
    [InlineData("10.5s4m", (4 * M) + (10 * S) + (500 * Ms))]
    [InlineData("-2m3.4s", -((2 * M) + (3 * S) + (400 * Ms)))]
    [InlineData("1h2m3s4ms5us6ns", H + (2 * M) + (3 * S) + (4 * Ms) + (5 * Us) + 6)]
    [InlineData("39h9m14.425s", (39 * H) + (9 * M) + (14 * S) + (425 * Ms))]
    // large values, and more than 9 digits after the point (golang.org/issue/6617)
    [InlineData("52763797000ns", 52763797000)]
    [InlineData("0.3333333333333333333h", 20 * M)]
    [InlineData("9007199254740993ns", (1L << 53) + 1)] // not exact in a double
    [InlineData("9223372036854775807ns", long.MaxValue)]
    [InlineData("9223372036854775.807us", long.MaxValue)]
    [InlineData("9223372036s854ms775us807ns", long.MaxValue)]
    [InlineData("-9223372036854775808ns", long.MinValue)]
    [InlineData("-9223372036854775.808us", long.MinValue)]
    [InlineData("-9223372036s854ms775us808ns", long.MinValue)]
    [InlineData("-2562047h47m16.854775808s", long.MinValue)] // golang.org/issue/48629
    [InlineData("0.100000000000000000000h", 6 * M)] // golang.org/issue/15011
    [InlineData("0.830103483285477580700h", (49 * M) + (48 * S) + 372539827)] // leadingFraction's first overflow check
    // the seed's and Istio's own
    [InlineData("45s", 45 * S)]
    [InlineData("1m0s", M)]
    [InlineData("1.500s", 1500 * Ms)] // protobuf JSON's form of a Duration
    public void Parse_IsGosParseDuration(string text, long nanoseconds)
    {
        Assert.True(GoDuration.TryParse(text, out long value, out var error), error);
        Assert.Equal(nanoseconds, value);
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("3", "has no unit")]
    [InlineData("10", "a bare number is only allowed as 0")]
    [InlineData("-", "is not a duration")]
    [InlineData("s", "is not a duration")]
    [InlineData(".", "is not a duration")]
    [InlineData("-.", "is not a duration")]
    [InlineData(".s", "is not a duration")]
    [InlineData("+.s", "is not a duration")]
    [InlineData("1d", "unknown unit 'd'")]
    [InlineData("1.2.3s", "has no unit after '1.2'")] // "1.2" then ".3s": Go's "missing unit"
    [InlineData("1h30", "has no unit after '30'")]
    [InlineData(" 10s", "is not a duration")] // Go trims nothing
    [InlineData("10s ", "unknown unit 's '")]
    [InlineData("ten seconds", "is not a duration")]
    [InlineData("\uFFFD", "is not a duration")]
    [InlineData("9223372036854775810ns", "is too long")]
    [InlineData("9223372036854775808ns", "is too long")]
    [InlineData("-9223372036854775809ns", "is too long")]
    [InlineData("9223372036854776us", "is too long")]
    [InlineData("3000000h", "is too long")]
    [InlineData("9223372036854775.808us", "is too long")]
    [InlineData("9223372036854ms775us808ns", "is too long")]
    public void Parse_RefusesWhatGoRefuses_SayingWhatToWrite(string text, string problem)
    {
        Assert.False(GoDuration.TryParse(text, out long _, out var error));
        Assert.Contains(problem, error, StringComparison.Ordinal);
        Assert.StartsWith($"'{text}' ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(1, "1ns")]
    [InlineData(1100, "1.1µs")]
    [InlineData(2200 * Us, "2.2ms")]
    [InlineData(3300 * Ms, "3.3s")]
    [InlineData((4 * M) + (5 * S), "4m5s")]
    [InlineData((4 * M) + (5001 * Ms), "4m5.001s")]
    [InlineData((5 * H) + (6 * M) + (7001 * Ms), "5h6m7.001s")]
    [InlineData((8 * M) + 1, "8m0.000000001s")]
    [InlineData(long.MaxValue, "2562047h47m16.854775807s")]
    [InlineData(long.MinValue, "-2562047h47m16.854775808s")]
    [InlineData(45 * S, "45s")]
    [InlineData(60 * S, "1m0s")] // the seed's --parentShutdownDuration, as Istio's injector writes it
    [InlineData(H, "1h0m0s")]
    public void Format_IsGosDurationString_AndParsesBack(long nanoseconds, string text)
    {
        Assert.Equal(text, GoDuration.Format(nanoseconds));
        Assert.True(GoDuration.TryParse(text, out long back, out var error), error);
        Assert.Equal(nanoseconds, back);
    }

    [Fact]
    public void TimeSpan_RoundTrips_InWholeTicks()
    {
        Assert.Equal("1h30m0.5s", GoDuration.Format(TimeSpan.FromMilliseconds(5_400_500)));
        Assert.Equal("250µs", GoDuration.Format(TimeSpan.FromTicks(2_500)));
        Assert.True(GoDuration.TryParse("1m30s", out TimeSpan value, out _));
        Assert.Equal(TimeSpan.FromSeconds(90), value);
        Assert.True(GoDuration.TryParse("150ns", out value, out _));
        Assert.Equal(TimeSpan.FromTicks(1), value); // 100 ns ticks: the rest is dropped
    }
}
