using System.Net;
using System.Net.Sockets;
using Waylay.Proxy.Io;

namespace Waylay.Proxy.Tests.Io;

/// <summary>
/// A connected loopback pair: the accepted end driven by an <see cref="EpollSocket"/> (as the proxy takes over an
/// accepted connection, never touched by .NET's socket engine first), the other end a plain .NET socket playing the peer.
/// </summary>
internal sealed class LoopbackPair : IDisposable
{
    private LoopbackPair(Socket socket, EpollSocket polled, Socket peer)
    {
        Socket = socket;
        Polled = polled;
        Peer = peer;
    }

    /// <summary>The accepted socket, the one on our loop.</summary>
    public Socket Socket { get; }

    public EpollSocket Polled { get; }

    public Socket Peer { get; }

    /// <summary>
    /// <paramref name="buffers"/> caps both ends' kernel buffers (SO_SNDBUF/SO_RCVBUF), so a few MiB surely fill them
    /// and a send must wait for the writable edge.
    /// </summary>
    public static async Task<LoopbackPair> ConnectAsync(int? buffers = null)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var peer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (buffers is { } size)
        {
            peer.SendBufferSize = size;
            peer.ReceiveBufferSize = size;
        }

        await peer.ConnectAsync(listener.LocalEndPoint!).WaitAsync(TimeSpan.FromSeconds(10));
        var socket = await listener.AcceptAsync().WaitAsync(TimeSpan.FromSeconds(10));
        socket.NoDelay = true;
        if (buffers is { } again)
        {
            socket.SendBufferSize = again;
            socket.ReceiveBufferSize = again;
        }

        return new LoopbackPair(socket, EpollSocket.Attach(socket.SafeHandle), peer);
    }

    public void Dispose()
    {
        Polled.Dispose();
        Socket.Dispose();
        Peer.Dispose();
    }
}
