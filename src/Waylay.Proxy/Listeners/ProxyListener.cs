using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Waylay.Linux;
using Waylay.Proxy.Connections;
using Waylay.Proxy.Lifecycle;

namespace Waylay.Proxy.Listeners;

/// <summary>
/// One capture port: a dual-mode [::] socket (redirected IPv6 lands on the interface's v6 address, so 0.0.0.0 would
/// refuse it; see design.md), accepting until drained and handing each connection to the connection handler.
/// </summary>
internal sealed class ProxyListener : IDisposable
{
    private readonly Socket _socket;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    private ProxyListener(Socket socket, ListenAddress address, ILogger logger, TimeProvider time)
    {
        _socket = socket;
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
        }
        catch (SocketException e)
        {
            socket.Dispose();
            var flag = kind == ListenerKind.Outbound ? "--outbound-port" : "--inbound-port";
            throw new ProxyStartException($"cannot listen on {endPoint} for {kind.ToString().ToLowerInvariant()} traffic ({flag}): {e.Message}"
                + (e.SocketErrorCode == SocketError.AddressAlreadyInUse ? $"; another process (an older proxy?) holds the port: stop it or give {flag} another one" : ""));
        }

        return new ProxyListener(socket, new ListenAddress(endPoint, kind), logger, time);
    }

    /// <summary>Accepts until the socket is closed; each connection runs on its own from there.</summary>
    public async Task AcceptLoopAsync(Func<Socket, ListenerKind, Task> handle)
    {
        while (true)
        {
            Socket accepted;
            try
            {
                // The ValueTask overload reuses the socket's one accept operation; AcceptAsync() wraps each in a Task.
                accepted = await _socket.AcceptAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.OperationAborted or SocketError.Interrupted or SocketError.Shutdown)
            {
                return;
            }
            catch (SocketException e)
            {
                // EMFILE/ENFILE/ENOBUFS: out of descriptors. Back off briefly so the loop does not spin while
                // connections close and free some (Kestrel does the same).
                ListenerLog.AcceptFailed(_logger, Address.ToString(), e.SocketErrorCode.ToString());
                await Task.Delay(TimeSpan.FromMilliseconds(50), _time).ConfigureAwait(false);
                continue;
            }

            _ = handle(accepted, Address.Kind);
        }
    }

    /// <summary>Stops accepting: from here on, redirected connects to this port are refused by the kernel.</summary>
    public void Dispose() => _socket.Dispose();
}
