using Waylay.Proxy.Routing;
using Xunit;

namespace Waylay.Proxy.Tests.Routing;

public sealed class InboundClusterNameTests
{
    [Fact]
    public void IsEnvoysName_MadeOncePerPort()
    {
        Assert.Equal("inbound|8080||", InboundClusterName.For(8080));
        Assert.Equal("inbound|9080||", InboundClusterName.For(9080));
        Assert.Same(InboundClusterName.For(8080), InboundClusterName.For(8080));
    }
}
