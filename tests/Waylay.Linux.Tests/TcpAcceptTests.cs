using System.Net;
using System.Net.Sockets;
using Xunit;

namespace Waylay.Linux.Tests;

/// <summary>
/// <see cref="TcpAccept"/>: accept4(2) into a bare descriptor with its peer's address, and what the proxy does with one
/// (TCP_NODELAY, a reset, handing it to a .NET Socket), against the real kernel on loopback.
/// </summary>
public sealed class TcpAcceptTests
{
    [Fact]
    public async Task Accept_GivesTheDescriptorAndThePeersPlainAddress_ThenEAgainWhenNoneIsQueued()
    {
        using var listener = Listen(out var port);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));

        var peer = new byte[28];
        using var accepted = await AcceptAsync(listener, peer);
        var clientPort = ((IPEndPoint)client.LocalEndPoint!).Port;
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, clientPort), SocketNames.Parse(peer.AsSpan(0, 28)));
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, port), SocketNames.Local(accepted));
        Assert.Equal(0, TcpAccept.SetNoDelay(accepted));

        Assert.Null(TcpAccept.Accept(listener.SafeHandle, peer, out _, out var errno));
        Assert.Equal(Errno.EAgain, errno);
    }

    [Fact]
    public async Task ToSocket_HandsTheDescriptorOver_ItIsClosedOnceByItsNewOwner()
    {
        var (listener, client, accepted) = await ConnectedAsync();
        using var _ = listener;
        using var __ = client;
        var fd = (int)accepted.DangerousGetHandle();

        using (var socket = accepted.ToSocket())
        {
            accepted.Dispose(); // no longer the owner: the descriptor stays open
            Assert.True(File.Exists($"/proc/self/fd/{fd}"));
            await socket.SendAsync("over"u8.ToArray(), SocketFlags.None);
            var buffer = new byte[4];
            Assert.Equal(4, await client.ReceiveAsync(buffer, SocketFlags.None));
        }

        // The Socket closed it: the client reads the end of the stream.
        Assert.Equal(0, await client.ReceiveAsync(new byte[1], SocketFlags.None));
    }

    [Fact]
    public async Task Abort_OnTheHandle_ResetsThePeer()
    {
        var (listener, client, accepted) = await ConnectedAsync();
        using var _ = listener;
        using var __ = client;

        SocketReset.Abort(accepted);

        Assert.True(accepted.IsClosed);
        var error = await Assert.ThrowsAsync<SocketException>(async () => await client.ReceiveAsync(new byte[1], SocketFlags.None));
        Assert.Equal(SocketError.ConnectionReset, error.SocketErrorCode);
        SocketReset.Abort(accepted); // closed already: nothing to do
    }

    /// <summary>A loopback listener, a client connected to it, and its connection accepted by <see cref="TcpAccept"/>.</summary>
    private static async Task<(Socket Listener, Socket Client, DescriptorHandle Accepted)> ConnectedAsync()
    {
        var listener = Listen(out var port);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        return (listener, client, await AcceptAsync(listener, new byte[28]));
    }

    private static Socket Listen(out int port)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        return listener;
    }

    /// <summary>The connection is queued once the client's connect returns; a few tries cover the kernel's hand-off.</summary>
    private static async Task<DescriptorHandle> AcceptAsync(Socket listener, byte[] peer)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (TcpAccept.Accept(listener.SafeHandle, peer, out var length, out var errno) is { } accepted)
            {
                Assert.Equal(16, length); // sockaddr_in
                return accepted;
            }

            Assert.Equal(Errno.EAgain, errno);
            await Task.Delay(10);
        }

        throw new TimeoutException("no connection was queued");
    }
}
