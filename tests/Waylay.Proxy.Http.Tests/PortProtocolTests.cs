using Waylay.Mesh;
using Waylay.Proxy.Http;
using Waylay.Proxy.Routing;
using Xunit;

namespace Waylay.Proxy.Http.Tests;

public sealed class PortProtocolTests
{
    [Theory]
    [InlineData("http", null, DeclaredProtocol.Http)]
    [InlineData("http-web", null, DeclaredProtocol.Http)]
    [InlineData("grpc-api", null, DeclaredProtocol.Http2)]
    [InlineData("grpc-web-api", null, DeclaredProtocol.Unknown)]
    [InlineData("web", "grpc-web", DeclaredProtocol.Unknown)]
    [InlineData("tcp-db", null, DeclaredProtocol.Opaque)]
    [InlineData("mysql", null, DeclaredProtocol.Opaque)]
    [InlineData("web", null, DeclaredProtocol.Unknown)]
    [InlineData("9080", null, DeclaredProtocol.Unknown)]
    [InlineData("web", "tcp", DeclaredProtocol.Opaque)]
    [InlineData("http-web", "tcp", DeclaredProtocol.Opaque)] // appProtocol wins over the name
    [InlineData("tcp-x", "http", DeclaredProtocol.Http)]
    [InlineData("web", "kubernetes.io/h2c", DeclaredProtocol.Http2)]
    public void Declaration_FollowsIstio(string name, string? appProtocol, DeclaredProtocol expected) =>
        Assert.Equal(expected, PortProtocol.Of(new ServicePort(name, 9080, 9080, TransportProtocol.Tcp, appProtocol)));

    [Fact]
    public void OnlyUndeclaredPorts_AreSniffed()
    {
        Assert.True(PortProtocol.ShouldSniff(new ServicePort("web", 80, 80)));
        Assert.False(PortProtocol.ShouldSniff(new ServicePort("tcp-mysql", 3306, 3306)));
        Assert.False(PortProtocol.ShouldSniff(new ServicePort("http", 80, 80)));
    }
}
