using System.Net.Sockets;

namespace Waylay.Linux;

/// <summary>Socket helpers beside <see cref="LinuxSocket"/>: passing a reset on.</summary>
public static class SocketReset
{
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
}
