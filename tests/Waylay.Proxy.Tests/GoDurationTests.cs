using Xunit;

namespace Waylay.Proxy.Tests;

public sealed class GoDurationTests
{
    [Theory]
    [InlineData("45s", 45_000)]
    [InlineData("1m0s", 60_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("250ms", 250)]
    [InlineData("1.5s", 1_500)]
    public void ParsesTheSeedsDurations(string text, long milliseconds)
    {
        Assert.True(GoDuration.TryParse(text, out var value, out var error), error);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData(0L, "0s")]
    [InlineData(1L, "100ns")]
    [InlineData(2_500L, "250µs")]
    [InlineData(1_000_000L, "100ms")]
    [InlineData(2_505_000L, "250.5ms")]
    [InlineData(15_000_000L, "1.5s")]
    [InlineData(450_000_000L, "45s")]
    [InlineData(600_000_000L, "1m0s")]
    [InlineData(900_000_000L, "1m30s")]
    [InlineData(36_000_000_000L, "1h0m0s")]
    [InlineData(54_005_000_000L, "1h30m0.5s")]
    public void Format_WritesWhatGosDurationStringWrites(long ticks, string text)
    {
        Assert.Equal(text, GoDuration.Format(TimeSpan.FromTicks(ticks)));
        Assert.True(GoDuration.TryParse(text, out var back, out var error), error);
        Assert.Equal(TimeSpan.FromTicks(ticks), back);
    }

    [Fact]
    public void BareZero_IsAccepted_AsInGo()
    {
        Assert.True(GoDuration.TryParse("0", out var value, out var error), error);
        Assert.Equal(TimeSpan.Zero, value);
    }

    [Theory]
    [InlineData("10", "no valid unit")]
    [InlineData("99999999999999h", "too long")]
    [InlineData("1.2.3s", "not a duration")]
    [InlineData("ten seconds", "not a duration")]
    [InlineData("5d", "no valid unit")]
    [InlineData("", "empty")]
    public void RejectsWithTheFix(string text, string message)
    {
        Assert.False(GoDuration.TryParse(text, out _, out var error));
        Assert.Contains(message, error);
    }
}

public sealed class ProxyOptionsTests
{
    [Fact]
    public void Defaults_AreValid_AndMatchTheSeed()
    {
        var options = new ProxyOptions();
        Assert.Empty(options.Validate());
        Assert.Equal(TimeSpan.FromSeconds(45), options.DrainDuration);
        Assert.Equal(TimeSpan.FromSeconds(10), options.ConnectTimeout);
        Assert.Equal((ushort)15001, options.OutboundPort);
    }

    [Fact]
    public void Validate_ReturnsEveryProblemAtOnce_NamingTheFlag()
    {
        var errors = new ProxyOptions
        {
            AdminPort = 15001,
            ConnectTimeout = TimeSpan.Zero,
            DrainDuration = TimeSpan.FromSeconds(90),
            ConfigPath = "/nonexistent/mesh.yaml",
            Concurrency = -1,
        }.Validate();
        Assert.Contains(errors, e => e.Contains("--proxyAdminPort") && e.Contains("--outbound-port"));
        Assert.Contains(errors, e => e.StartsWith("--connect-timeout"));
        Assert.Contains(errors, e => e.StartsWith("--parent-shutdown-duration"));
        Assert.Contains(errors, e => e.StartsWith("--config") && e.Contains("/nonexistent/mesh.yaml"));
        Assert.Contains(errors, e => e.StartsWith("--concurrency") && e.Contains("0 for one per core"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(256)]
    public void Concurrency_ZeroForEveryCore_OrAThreadCount_IsValid(int concurrency)
    {
        Assert.Empty(new ProxyOptions { Concurrency = concurrency }.Validate());
    }

    [Fact]
    public void SinglePortLayout_InboundOnTheOutboundPort_IsAllowed()
    {
        Assert.Empty(new ProxyOptions { InboundPort = 15001 }.Validate());
    }
}
