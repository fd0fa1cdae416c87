using System.Net;
using System.Net.Sockets;
using Waylay.Proxy.Io;
using Xunit;
using static Waylay.Proxy.Tests.Io.IoTestData;

namespace Waylay.Proxy.Tests.Io;

/// <summary>
/// <see cref="EpollLoop"/> under many sockets at once: the slot table grows past its first 64 entries, and slots freed
/// by disposed sockets are taken again (a new generation) without a stale edge reaching the new owner.
/// </summary>
public sealed class EpollLoopTests
{
    private const int Connections = 200;
    private const int Size = 64 * 1024;

    [Fact]
    public async Task ManySocketsAtOnce_EachEchoesExactly_ThenSlotsAreReused()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(Connections * 2);
        var target = (IPEndPoint)listener.LocalEndPoint!;

        var first = await EchoRoundAsync(listener, target, seed: 100);

        // Every loop holds at least 2 × 200 / loops sockets at once: some slot index is past the initial 64.
        Assert.Contains(first, token => (uint)token >= 64);

        var second = await EchoRoundAsync(listener, target, seed: 200);

        // The first round's slots were all freed: the second takes them again, each with a newer generation.
        Assert.Contains(second, token => (token >> 32) > 1);
    }

    /// <summary>
    /// Opens <see cref="Connections"/> connections whose both ends are on the loops, echoes 64 KiB through each
    /// concurrently (client: SocketPipeWriter out, SocketPipeReader in; server: reader → writer), checks every byte,
    /// then disposes all of them. Returns every socket's token (slot and generation of its own loop's table).
    /// </summary>
    private static async Task<List<ulong>> EchoRoundAsync(Socket listener, IPEndPoint target, int seed)
    {
        var clients = new List<(Socket Socket, EpollSocket Polled)>();
        var servers = new List<(Socket Socket, EpollSocket Polled)>();
        try
        {
            var accepting = Task.Run(async () =>
            {
                for (var i = 0; i < Connections; i++)
                {
                    var accepted = await listener.AcceptAsync().WaitAsync(Hang);
                    lock (servers)
                    {
                        servers.Add((accepted, EpollSocket.Attach(accepted.SafeHandle)));
                    }
                }
            });
            for (var i = 0; i < Connections; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                // A blocking connect registers nothing with .NET's engine; the loop takes the socket over after it.
                socket.Connect(target);
                clients.Add((socket, EpollSocket.Attach(socket.SafeHandle)));
            }

            await accepting.WaitAsync(Hang);

            // All 400 registered at once before any traffic, so the tables hold them all together.
            var echoes = new List<Task>();
            foreach (var server in servers)
            {
                echoes.Add(Task.Run(() => EchoAsync(server.Socket, server.Polled)));
            }

            var checks = new List<Task>();
            for (var i = 0; i < clients.Count; i++)
            {
                var client = clients[i];
                var bytes = Pattern(Size, seed + i);
                checks.Add(Task.Run(() => SendAndCheckAsync(client.Socket, client.Polled, bytes)));
            }

            await Task.WhenAll(checks).WaitAsync(TimeSpan.FromSeconds(60));
            await Task.WhenAll(echoes).WaitAsync(Hang);

            var tokens = new List<ulong>();
            foreach (var (_, polled) in clients)
            {
                tokens.Add(polled.Token);
            }

            foreach (var (_, polled) in servers)
            {
                tokens.Add(polled.Token);
            }

            return tokens;
        }
        finally
        {
            foreach (var (socket, polled) in clients)
            {
                polled.Dispose();
                socket.Dispose();
            }

            foreach (var (socket, polled) in servers)
            {
                polled.Dispose();
                socket.Dispose();
            }
        }
    }

    private static async Task EchoAsync(Socket socket, EpollSocket polled)
    {
        var reader = new SocketPipeReader(polled);
        var writer = new SocketPipeWriter(polled);
        while (true)
        {
            var result = await reader.ReadAsync().Bounded();
            foreach (var segment in result.Buffer)
            {
                segment.Span.CopyTo(writer.GetSpan(segment.Length));
                writer.Advance(segment.Length);
            }

            reader.AdvanceTo(result.Buffer.End);
            await writer.FlushAsync().Bounded();
            if (result.IsCompleted)
            {
                break;
            }
        }

        socket.Shutdown(SocketShutdown.Send);
        reader.Complete();
        writer.Complete();
    }

    private static async Task SendAndCheckAsync(Socket socket, EpollSocket polled, byte[] bytes)
    {
        var reader = new SocketPipeReader(polled);
        var writer = new SocketPipeWriter(polled);
        var receiving = ReadToEndAsync(reader);
        for (var at = 0; at < bytes.Length; at += 8 * 1024)
        {
            bytes.AsSpan(at, 8 * 1024).CopyTo(writer.GetSpan(8 * 1024));
            writer.Advance(8 * 1024);
            await writer.FlushAsync().Bounded();
        }

        socket.Shutdown(SocketShutdown.Send);
        Assert.Equal(bytes, await receiving.WaitAsync(Hang));
        reader.Complete();
        writer.Complete();
    }
}
