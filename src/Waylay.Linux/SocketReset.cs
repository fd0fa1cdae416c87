using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Waylay.Linux;

/// <summary>Socket helpers beside <see cref="LinuxSocket"/>: passing a reset on.</summary>
public static unsafe class SocketReset
{
    private const int SoLinger = 13;

    /// <summary>
    /// Closes with SO_LINGER {on, 0} so the kernel sends RST instead of FIN: how a relay tells its other side that
    /// the peer reset (RFC 9293 §3.6.1 abort), rather than pretending the stream ended cleanly.
    /// </summary>
    public static void Abort(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        socket.Dispose();
    }

    /// <summary>The same for a descriptor without a .NET Socket (an accepted downstream, <see cref="TcpAccept"/>).</summary>
    public static void Abort(SafeHandle socket)
    {
        if (!SocketCalls.TryAddRef(socket, out var fd))
        {
            return;
        }

        try
        {
            var linger = stackalloc int[2] { 1, 0 }; // struct linger { l_onoff, l_linger }
            SocketCalls.SetOption(fd, SocketCalls.SolSocket, SoLinger, linger, 2 * sizeof(int));
        }
        finally
        {
            socket.DangerousRelease();
        }

        socket.Dispose();
    }
}
