using System.Net.Sockets;
using System.Text;

namespace Waylay.Proxy.Mesh.Tests.Lab;

/// <summary>
/// An app that only listens: it keeps every byte each connection brings (as Latin-1 text) and notes when the
/// connection ends, and never answers. What an app behind the sidecar received, byte for byte.
/// </summary>
internal sealed class RecordingApp
{
    private readonly StringBuilder _received = new();
    private int _ended;

    public string Received
    {
        get
        {
            lock (_received)
            {
                return _received.ToString();
            }
        }
    }

    /// <summary>Connections that ended (the peer closed or reset it).</summary>
    public int Ended => Volatile.Read(ref _ended);

    public Func<Socket, CancellationToken, Task> Behaviour => async (socket, ct) =>
    {
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, ct)) > 0)
            {
                lock (_received)
                {
                    _received.Append(Encoding.Latin1.GetString(buffer, 0, read));
                }
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            // reset, or the test is over
        }

        Interlocked.Increment(ref _ended);
    };
}
