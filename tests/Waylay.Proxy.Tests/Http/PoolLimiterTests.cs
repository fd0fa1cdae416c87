using Waylay.Mesh.Networking;
using Waylay.Proxy.LoadBalancing;
using Waylay.Proxy.Routing;
using Xunit;

namespace Waylay.Proxy.Tests.Http;

/// <summary>Istio's circuit-breaking task in miniature: maxConnections 1 and http1MaxPendingRequests 1.</summary>
public sealed class PoolLimiterTests
{
    [Fact]
    public async Task OneInFlight_OneWaiting_TheNextOverflows()
    {
        var limiter = PoolLimiter.For(new ConnectionPoolSettings(MaxConnections: 1, Http1MaxPendingRequests: 1, MaxRequestsPerConnection: null, IdleTimeout: null));
        Assert.True(await limiter.EnterAsync(CancellationToken.None));

        var waiting = limiter.EnterAsync(CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, limiter.Pending);
        Assert.False(await limiter.EnterAsync(CancellationToken.None)); // 503 UO

        limiter.Exit();
        Assert.True(await waiting);
        Assert.Equal(0, limiter.Pending);
        limiter.Exit();
    }

    [Fact]
    public async Task Unset_IsUnlimited()
    {
        var limiter = PoolLimiter.For(ConnectionPoolSettings.Unlimited);
        for (var i = 0; i < 1000; i++)
        {
            Assert.True(await limiter.EnterAsync(CancellationToken.None));
        }
    }
}
