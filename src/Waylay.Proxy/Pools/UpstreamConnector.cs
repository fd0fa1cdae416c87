using System.Net;
using System.Net.Sockets;
using Waylay.Linux;
using Waylay.Proxy.Io;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy.Pools;

/// <summary>
/// Opens an upstream connection within the connect timeout: one per downstream connection for the TCP relay
/// (<see cref="ConnectAsync"/>), and the HTTP/1 pool's keep-alive connections on Waylay's event loop
/// (<see cref="StartPolled"/>, <see cref="Http1UpstreamPool"/>), and the h2c pool's, through SocketsHttpHandler's
/// connect callback (<see cref="UpstreamHttpClient"/>).
/// </summary>
internal sealed class UpstreamConnector(TimeSpan timeout, TimeProvider time)
{
    public async Task<(Socket? Socket, RelayOutcome Failure)> ConnectAsync(IPEndPoint target, IPEndPoint? source, CancellationToken cancellationToken)
    {
        var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var deadline = new CancellationTokenSource(timeout, time);
        using var link = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        try
        {
            Bind(socket, source);
            await socket.ConnectAsync(target, link.Token).ConfigureAwait(false);
            return (socket, RelayOutcome.Open);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            socket.Dispose();
            return (null, FailureOf(e, deadline));
        }
    }

    /// <summary>
    /// The same connection, made with the system calls themselves and then driven on Waylay's event loop (the HTTP/1
    /// pools' upstreams, on their downstream's <paramref name="loop"/>): started here, awaited by the caller
    /// (<see cref="PolledConnect"/>). The connect timeout is one timer that ends the wait; the caller's token cancels
    /// the wait itself, so no cancellation source is made or linked per connect.
    /// </summary>
    public PolledConnect StartPolled(IPEndPoint target, IPEndPoint? source, EpollLoop loop, CancellationToken cancellationToken)
    {
        // A loopback connect often completes before its wait begins, and a wait that finds its edge already there
        // never looks at the token: a caller that has given up is told so before anything starts.
        if (cancellationToken.IsCancellationRequested)
        {
            return new(null, null, RelayOutcome.ClosedByProxy);
        }

        if (EpollSocket.StartConnect(target, source, loop, out _) is not { } socket)
        {
            return new(null, null, RelayOutcome.ConnectFailed);
        }

        var deadline = time.CreateTimer(static state => ((EpollSocket)state!).ExpireConnect(), socket, timeout, Timeout.InfiniteTimeSpan);
        return new(socket, deadline, RelayOutcome.Open);
    }

    /// <summary>A failed connect as the relay reports it: the connect timeout, the proxy closing, or the endpoint refusing.</summary>
    private static RelayOutcome FailureOf(Exception failure, CancellationTokenSource deadline) => failure switch
    {
        OperationCanceledException when deadline.IsCancellationRequested => RelayOutcome.ConnectTimeout,
        OperationCanceledException => RelayOutcome.ClosedByProxy,
        _ => RelayOutcome.ConnectFailed,
    };

    /// <summary>Binds the inbound-passthrough source (also used by the app probes, Admin/AppProbes/AppProbeDialer.cs).</summary>
    internal static void Bind(Socket socket, IPEndPoint? source)
    {
        if (source is null)
        {
            return;
        }

        // 127.0.0.6 / ::6: the inbound-passthrough source. FREEBIND lets ::6 be bound though no interface has it.
        LinuxSocket.SetFreebind(socket);

        socket.Bind(source);
    }
}
