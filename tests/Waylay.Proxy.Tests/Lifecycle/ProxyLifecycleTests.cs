using Waylay.Proxy.Lifecycle;
using Xunit;

namespace Waylay.Proxy.Tests.Lifecycle;

public sealed class ProxyLifecycleTests
{
    /// <summary>
    /// POST /drain (and SIGTERM) answer only once the listeners are closed: whoever asked may connect right after and
    /// must be refused (DrainTests, through the real binary, is where a late close showed).
    /// </summary>
    [Fact]
    public async Task BeginDrain_StopsAcceptingBeforeItReturns()
    {
        var lifecycle = new ProxyLifecycle();
        var stopped = 0;
        lifecycle.OnDrainStopAccepting(() => stopped++);
        lifecycle.MarkLive();

        lifecycle.BeginDrain("POST /drain");

        Assert.Equal(1, stopped);
        Assert.Equal(ProxyState.Draining, lifecycle.State);
        Assert.True(lifecycle.DrainRequested.IsCompleted);
        Assert.Equal("POST /drain", await lifecycle.DrainRequested);
    }
}
