using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Waylay.Linux;
using Waylay.Proxy.Connections;
using Waylay.Proxy.Io;
using Waylay.Proxy.OriginalDestination;
using Waylay.Proxy.Lifecycle;

namespace Waylay.Proxy.Listeners;

/// <summary>
/// One capture port: a dual-mode [::] socket (redirected IPv6 lands on the interface's v6 address, so 0.0.0.0 would
/// refuse it; see design.md), accepting until drained and handing each connection to the connection handler as a bare
/// descriptor (accept4(2) on Waylay's event loop: no .NET Socket per connection, docs/designs/proxy.md, "Memory").
/// </summary>
internal sealed class ProxyListener : IDisposable
{
    private readonly Socket _socket; // bound, listening, non-blocking; never used through .NET's socket engine
    private readonly EpollSocket _polled;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    private ProxyListener(Socket socket, ListenAddress address, ILogger logger, TimeProvider time)
    {
        _socket = socket;
        _polled = EpollSocket.Attach(socket.SafeHandle);
        Address = address;
        _logger = logger;
        _time = time;
    }

    public ListenAddress Address { get; }

    public static ProxyListener Bind(ushort port, ListenerKind kind, bool transparent, ILogger logger, TimeProvider time)
    {
        Socket socket;
        IPEndPoint endPoint;
        if (Socket.OSSupportsIPv6)
        {
            socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true };
            endPoint = new IPEndPoint(IPAddress.IPv6Any, port);
        }
        else
        {
            socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            endPoint = new IPEndPoint(IPAddress.Any, port);
        }

        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            if (transparent)
            {
                LinuxSocket.SetTransparent(socket);
            }

            socket.Bind(endPoint);
            socket.Listen(4096);
            socket.Blocking = false; // accepted until EAGAIN on each readable edge
        }
        catch (SocketException e)
        {
            socket.Dispose();
            var flag = kind == ListenerKind.Outbound ? "--outbound-port" : "--inbound-port";
            throw new ProxyStartException($"cannot listen on {endPoint} for {kind.ToString().ToLowerInvariant()} traffic ({flag}): {e.Message}"
                + (e.SocketErrorCode == SocketError.AddressAlreadyInUse ? $"; another process (an older proxy?) holds the port: stop it or give {flag} another one" : ""));
        }

        try
        {
            return new ProxyListener(socket, new ListenAddress(endPoint, kind), logger, time);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Accepts until the listener is closed, each connection handed on with its client's address (plain IPv4 for a
    /// dual-mode listener's IPv4 peer, the address kept once per client, <see cref="SharedAddresses"/>); each runs on
    /// its own from there. Readiness comes from Waylay's event loop, so the accept's continuation (and each handler's
    /// first steps) run on its thread, as they ran inline on .NET's epoll thread before.
    /// </summary>
    public async Task AcceptLoopAsync(Func<DescriptorHandle, IPEndPoint, ListenerKind, Task> handle)
    {
        while (true)
        {
            var errno = AcceptQueued(handle);
            if (errno == Errno.EAgain)
            {
                try
                {
                    await _polled.WaitReadableAsync(CancellationToken.None).ConfigureAwait(false);
                }
                catch (SocketException)
                {
                    return; // closed (Dispose): the wait is aborted
                }

                continue;
            }

            if (errno is Errno.EBadF or Errno.EInval)
            {
                return; // closed, or shut down while accepting
            }

            // EMFILE/ENFILE/ENOBUFS: out of descriptors. Back off briefly so the loop does not spin while
            // connections close and free some (Kestrel does the same); the queue is tried again after.
            ListenerLog.AcceptFailed(_logger, Address.ToString(), Errno.ToSocketError(errno).ToString());
            await Task.Delay(TimeSpan.FromMilliseconds(50), _time).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Accepts every connection queued now, as .NET's accept loop did inline on its epoll thread (capping a turn at
    /// HAProxy's 64 and going on from the thread pool was measured: no lower peak, in a 9,000 burst if anything higher):
    /// returns EAGAIN when the queue is empty, else the errno that stopped it. Synchronous, so the peer's address is
    /// read into the stack.
    /// </summary>
    private int AcceptQueued(Func<DescriptorHandle, IPEndPoint, ListenerKind, Task> handle)
    {
        Span<byte> peer = stackalloc byte[28]; // sizeof(struct sockaddr_in6)
        while (true)
        {
            if (_polled.TryAccept(peer, out var length, out var errno) is not { } accepted)
            {
                if (TcpAccept.IsConnectionError(errno))
                {
                    continue; // that connection failed while queued: take the next
                }

                return errno;
            }

            IPEndPoint client;
            if (SocketNames.Parse(peer[..length]) is { } parsed)
            {
                parsed.Address = SharedAddresses.Intern(parsed.Address);
                client = parsed;
            }
            else
            {
                client = new IPEndPoint(IPAddress.None, 0);
            }

            _ = handle(accepted, client, Address.Kind);
        }
    }

    /// <summary>Stops accepting: from here on, redirected connects to this port are refused by the kernel.</summary>
    public void Dispose()
    {
        _polled.Dispose();
        _socket.Dispose();
    }
}
