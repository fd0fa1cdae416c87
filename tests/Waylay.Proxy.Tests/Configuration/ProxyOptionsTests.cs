using Xunit;
using Waylay.Proxy.Configuration;

namespace Waylay.Proxy.Tests.Configuration;

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
