using System.Net;
using System.Net.Sockets;

namespace Waylay.TestKit;

/// <summary>
/// A loopback port that refuses every connection for as long as this lives: a socket bound to it that never listens.
/// Taking a free port and closing it is racy (a test running beside this one may be given the same port and answer
/// on it); holding the bind keeps the port ours, and the kernel answers a SYN to a bound, non-listening socket with RST.
/// </summary>
public sealed class RefusingPort : IDisposable
{
    private readonly Socket _socket;

    public RefusingPort(IPAddress? address = null)
    {
        address ??= IPAddress.Loopback;
        _socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _socket.Bind(new IPEndPoint(address, 0));
    }

    public int Port => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    public void Dispose() => _socket.Dispose();
}
