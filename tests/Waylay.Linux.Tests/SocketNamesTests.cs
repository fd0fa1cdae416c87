using System.Net;
using System.Net.Sockets;
using Xunit;

namespace Waylay.Linux.Tests;

/// <summary><see cref="SocketNames"/>: the kernel's getsockname/getpeername, an IPv4 peer of a dual-mode listener as plain IPv4.</summary>
public sealed class SocketNamesTests
{
    [Fact]
    public async Task DualModeListener_IPv4Peer_ReadAsPlainIPv4_WithoutTheSocketKeepingAMappedCopy()
    {
        using var listener = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true };
        listener.Bind(new IPEndPoint(IPAddress.Loopback.MapToIPv6(), 0)); // loopback only; IPv4 clients reach it
        listener.Listen();
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        using var accepted = await listener.AcceptAsync();

        var clientPort = ((IPEndPoint)client.LocalEndPoint!).Port;
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, clientPort), SocketNames.Peer(accepted));
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, port), SocketNames.Local(accepted));
        Assert.True(SocketNames.LocalIsIpv4Mapped(accepted));
        Assert.False(SocketNames.LocalIsIpv4Mapped(client));

        // What .NET reports for the same socket: the mapped form (the one the proxy no longer keeps).
        Assert.True(((IPEndPoint)accepted.RemoteEndPoint!).Address.IsIPv4MappedToIPv6);
    }

    [Fact]
    public void Ipv6Listener_LocalIsItsOwnAddress_AndItHasNoPeer()
    {
        using var listener = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        listener.Listen();

        Assert.Equal(listener.LocalEndPoint, SocketNames.Local(listener));
        Assert.Null(SocketNames.Peer(listener)); // listening, not connected: ENOTCONN
    }
}
