using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Waylay.TestKit;

namespace Waylay.Node.Tests.Services;

/// <summary>
/// A TCP server listening inside a pod's network namespace (its socket is made on a thread that entered it) that
/// answers every connection with its name and closes; it remembers who connected.
/// </summary>
internal sealed class PodServer : IDisposable
{
    private readonly Socket _listener;

    private PodServer(string name, Socket listener)
    {
        Name = name;
        _listener = listener;
        _ = AcceptAsync();
    }

    public string Name { get; }

    public ConcurrentQueue<IPAddress> Peers { get; } = new();

    public static PodServer Start(string name, string netnsPath, ushort port)
    {
        var listener = InNamespace.Invoke(netnsPath, () =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Any, port));
            socket.Listen(64);
            return socket;
        });
        return new PodServer(name, listener);
    }

    /// <summary>Connects from inside <paramref name="netnsPath"/> and returns what the server said.</summary>
    public static string Ask(string netnsPath, IPAddress address, ushort port) => InNamespace.Invoke(netnsPath, () =>
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.ReceiveTimeout = 10_000;
        socket.Connect(new IPEndPoint(address, port));
        using var stream = new NetworkStream(socket);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return reader.ReadToEnd();
    });

    public void Dispose() => _listener.StopListening();

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                using var connection = await _listener.AcceptAsync();
                Peers.Enqueue(((IPEndPoint)connection.RemoteEndPoint!).Address);
                await connection.SendAsync(Encoding.ASCII.GetBytes(Name));
                connection.Shutdown(SocketShutdown.Both);
            }
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException)
        {
            // The test is over.
        }
    }
}
