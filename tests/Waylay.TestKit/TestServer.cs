using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Waylay.TestKit;

/// <summary>
/// A TCP server inside a test namespace with a chosen behaviour per connection (echo, greet with its name, or any
/// function). It remembers every client address it saw, so a test can tell where a connection landed and from where.
/// </summary>
public sealed class TestServer : IDisposable
{
    private readonly Socket _listener;
    private readonly Func<Socket, CancellationToken, Task> _behaviour;
    private readonly CancellationTokenSource _stop = new();
    private int _accepted;

    private TestServer(Socket listener, Func<Socket, CancellationToken, Task> behaviour)
    {
        _listener = listener;
        _behaviour = behaviour;
        _ = AcceptLoopAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>The client address of every accepted connection, in order.</summary>
    public ConcurrentQueue<IPEndPoint> Clients { get; } = new();

    /// <summary>Echoes every byte; on the client's FIN, finishes and closes (a half-close passes through).</summary>
    public static readonly Func<Socket, CancellationToken, Task> Echo = async (socket, ct) =>
    {
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, ct)) > 0)
        {
            await socket.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, ct);
        }

        socket.Shutdown(SocketShutdown.Send);
    };

    /// <summary>Sends <paramref name="name"/> and closes: which endpoint took the connection.</summary>
    public static Func<Socket, CancellationToken, Task> Greet(string name) => async (socket, ct) =>
    {
        await socket.SendAsync(Encoding.ASCII.GetBytes(name), SocketFlags.None, ct);
        socket.Shutdown(SocketShutdown.Send);
        await TestData.ReadToEndAsync(socket, ct);
    };

    public static TestServer Start(TestNamespace ns, IPEndPoint endPoint, Func<Socket, CancellationToken, Task> behaviour) =>
        new(ns.Listen(endPoint), behaviour);

    public void Dispose()
    {
        _stop.Cancel();
        _listener.StopListening();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            if (client.RemoteEndPoint is IPEndPoint remote)
            {
                Clients.Enqueue(remote.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(remote.Address.MapToIPv4(), remote.Port) : remote);
            }

            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try
                    {
                        await _behaviour(client, _stop.Token);
                    }
                    catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
                    {
                        // the client went away: nothing to serve
                    }
                }
            });
        }
    }
}
