using System.Net;
using Waylay.Proxy.Pools;
using Xunit;

namespace Waylay.Proxy.Tests.Pools;

/// <summary>The pool host names of <c>src/Waylay.Proxy/Pools/Http2PoolHost.cs</c>.</summary>
public sealed class Http2PoolHostTests
{
    [Theory]
    [InlineData("10.1.2.3")]
    [InlineData("fd00::1:5")]
    public void PoolHost_NamesItsAddress_AndAnAddressAsWrittenStillParses(string text)
    {
        var address = IPAddress.Parse(text);
        var host = Http2PoolHost.Format(address, 0x2a);
        Assert.StartsWith("p2a-", host);
        Assert.True(Uri.CheckHostName(host) == UriHostNameType.Dns);
        Assert.True(Http2PoolHost.TryParse(host, out var parsed));
        Assert.Equal(address, parsed);

        Assert.True(Http2PoolHost.TryParse(address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{text}]" : text, out var direct));
        Assert.Equal(address, direct);
        Assert.False(Http2PoolHost.TryParse("p2a-zz", out _));
        Assert.False(Http2PoolHost.TryParse("reviews", out _));
    }
}
