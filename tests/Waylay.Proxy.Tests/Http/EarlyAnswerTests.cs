using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Waylay.Proxy.Tests.Kernel;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Tests.Http;

/// <summary>
/// An upstream that answers a POST before reading its body (a 413, a redirect, a 200 that ignores uploads), through
/// one sidecar with raw sockets on both sides. The answer goes out without <c>connection: close</c>, so the sidecar
/// reads the rest of the client's body away, as Kestrel does, and the client's next request on the same connection
/// is served, sized or chunked, pipelined or not; the body's rest never reaches the next request upstream. A body
/// whose rest is past the drain's limit, or a client that stops mid-body, gets the connection closed instead, and the
/// sidecar goes on serving others. A duplex server (the body echoed as it is read) is not cut: its answer ends with
/// the body.
/// </summary>
public sealed class EarlyAnswerTests
{
    private const string Mesh = """
        version: early-v1
        services:
        - name: web
          namespace: shop
          addresses: [10.96.0.40]
          ports: [{name: http, port: 8080}]
          endpoints:
          - address: 10.244.1.11
            labels: {app: web, version: v1}
        """;

    private static readonly IPEndPoint Service = new(IPAddress.Parse("10.96.0.40"), 8080);

    [NetnsFact]
    public async Task AnsweredBeforeItsBody_TheRestIsReadAway_AndTheNextRequestOnTheConnectionIsServed()
    {
        using var mesh = new MeshFile(Mesh);
        await using var lab = await PodWithPeer.CreateAsync("--config", mesh.Path);
        var upstream = new EarlyServer();
        using var server = lab.Peer.Serve(new IPEndPoint(PodWithPeer.Endpoint(1), 8080), upstream.ServeAsync);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var http = new RawHttp(await lab.Pod.ConnectAsync(Service, cancellationToken: timeout.Token));

        // Part of the body, the answer, then the rest: the answer came before the body was read to its end.
        await http.SendAsync("POST /upload/1 HTTP/1.1\r\nhost: web\r\ncontent-length: 200000\r\n\r\n", timeout.Token);
        await http.SendAsync(Fill('a', 1000), timeout.Token);
        var early = await http.ReadResponseAsync(timeout.Token);
        Assert.Equal((200, "early"), (early.Status, early.BodyText));
        Assert.Null(early.Field("connection"));
        await http.SendAsync(Fill('b', 199_000), timeout.Token);
        await http.SendAsync("GET /next/1 HTTP/1.1\r\nhost: web\r\n\r\n", timeout.Token);
        Assert.Equal("/next/1", (await http.ReadResponseAsync(timeout.Token)).BodyText);

        // The whole body at once, the next request right behind it: whether the answer came before the sidecar had
        // taken all of it or after, the connection goes on.
        for (var i = 2; i <= 4; i++)
        {
            await http.SendAsync($"POST /upload/{i} HTTP/1.1\r\nhost: web\r\ncontent-length: 300000\r\n\r\n", timeout.Token);
            await http.SendAsync(Fill('c', 300_000), timeout.Token);
            await http.SendAsync($"GET /next/{i} HTTP/1.1\r\nhost: web\r\n\r\n", timeout.Token);
            Assert.Equal("early", (await http.ReadResponseAsync(timeout.Token)).BodyText);
            Assert.Equal($"/next/{i}", (await http.ReadResponseAsync(timeout.Token)).BodyText);
        }

        // Upstream, each request line arrived as sent, in order: no byte of a drained body went ahead of a later request.
        Assert.Equal(["POST /upload/1", "GET /next/1", "POST /upload/2", "GET /next/2", "POST /upload/3", "GET /next/3", "POST /upload/4", "GET /next/4"],
            upstream.Requests);
        Assert.All(upstream.Bodies, body => Assert.DoesNotContain(body, b => b is not ((byte)'a' or (byte)'b' or (byte)'c')));
    }

    [NetnsFact]
    public async Task AnsweredBeforeAChunkedBody_TheRestIsReadAway_TrailersAndAll()
    {
        using var mesh = new MeshFile(Mesh);
        await using var lab = await PodWithPeer.CreateAsync("--config", mesh.Path);
        var upstream = new EarlyServer();
        using var server = lab.Peer.Serve(new IPEndPoint(PodWithPeer.Endpoint(1), 8080), upstream.ServeAsync);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var http = new RawHttp(await lab.Pod.ConnectAsync(Service, cancellationToken: timeout.Token));

        await http.SendAsync("POST /upload/chunked HTTP/1.1\r\nhost: web\r\ntransfer-encoding: chunked\r\n\r\n3e8\r\n", timeout.Token);
        await http.SendAsync(Fill('a', 1000), timeout.Token);
        await http.SendAsync("\r\n", timeout.Token);
        Assert.Equal("early", (await http.ReadResponseAsync(timeout.Token)).BodyText);
        for (var i = 0; i < 20; i++)
        {
            await http.SendAsync("2710;ext=x\r\n", timeout.Token);
            await http.SendAsync(Fill('b', 10_000), timeout.Token);
            await http.SendAsync("\r\n", timeout.Token);
        }

        await http.SendAsync("0\r\nx-checksum: 1\r\n\r\nGET /after-chunked HTTP/1.1\r\nhost: web\r\n\r\n", timeout.Token);
        Assert.Equal("/after-chunked", (await http.ReadResponseAsync(timeout.Token)).BodyText);
        Assert.Equal(["POST /upload/chunked", "GET /after-chunked"], upstream.Requests);
    }

    [NetnsFact]
    public async Task DuplexServer_EchoingTheBodyAsItReadsIt_AnswerEndsWithTheBody_TheConnectionGoesOn()
    {
        using var mesh = new MeshFile(Mesh);
        await using var lab = await PodWithPeer.CreateAsync("--config", mesh.Path);
        var upstream = new EarlyServer();
        using var server = lab.Peer.Serve(new IPEndPoint(PodWithPeer.Endpoint(1), 8080), upstream.ServeAsync);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var http = new RawHttp(await lab.Pod.ConnectAsync(Service, cancellationToken: timeout.Token));

        // Each part goes out only once the one before came back: the answer is under way long before the body ends.
        var echoed = new List<byte>();
        await http.SendAsync("POST /duplex HTTP/1.1\r\nhost: web\r\ncontent-length: 40000\r\n\r\n", timeout.Token);
        for (var part = 1; part <= 4; part++)
        {
            await http.SendAsync(Fill((char)('a' + part), 10_000), timeout.Token);
            await ReceiveBodyAsync(http.Socket, echoed, part * 10_000, timeout.Token);
        }

        var body = echoed.Skip(echoed.Count - 40_000).ToArray();
        Assert.Equal(Fill('b', 10_000).Concat(Fill('c', 10_000)).Concat(Fill('d', 10_000)).Concat(Fill('e', 10_000)), body);
        await http.SendAsync("GET /after-duplex HTTP/1.1\r\nhost: web\r\n\r\n", timeout.Token);
        Assert.Equal("/after-duplex", (await http.ReadResponseAsync(timeout.Token)).BodyText);
        Assert.Equal(["POST /duplex", "GET /after-duplex"], upstream.Requests);
    }

    /// <summary>Reads off the socket until the response's body (after its head) holds <paramref name="count"/> bytes.</summary>
    private static async Task ReceiveBodyAsync(Socket socket, List<byte> received, int count, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        int BodyLength()
        {
            var at = received.ToArray().AsSpan().IndexOf("\r\n\r\n"u8);
            return at < 0 ? 0 : received.Count - at - 4;
        }

        while (BodyLength() < count)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            Assert.True(read > 0, "the connection ended in the middle of a duplex answer");
            received.AddRange(buffer.AsSpan(0, read));
        }
    }

    [NetnsFact]
    public async Task RestPastTheDrainLimit_OrAClientStoppedMidBody_TheConnectionIsClosed_OthersServed()
    {
        using var mesh = new MeshFile(Mesh);
        await using var lab = await PodWithPeer.CreateAsync("--config", mesh.Path);
        var upstream = new EarlyServer();
        using var server = lab.Peer.Serve(new IPEndPoint(PodWithPeer.Endpoint(1), 8080), upstream.ServeAsync);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));

        // A declared length whose rest is over 1 MiB: closed after the answer, nothing read away.
        using (var http = new RawHttp(await lab.Pod.ConnectAsync(Service, cancellationToken: timeout.Token)))
        {
            await http.SendAsync($"POST /upload/big HTTP/1.1\r\nhost: web\r\ncontent-length: {4 << 20}\r\n\r\n", timeout.Token);
            await http.SendAsync(Fill('a', 1000), timeout.Token);
            Assert.Equal("early", (await http.ReadResponseAsync(timeout.Token)).BodyText);
            Assert.True(await http.ClosedByPeerAsync(timeout.Token), "the connection stayed open for a body past the drain limit");
        }

        // Chunked, no length: read away up to the limit, then closed.
        using (var http = new RawHttp(await lab.Pod.ConnectAsync(Service, cancellationToken: timeout.Token)))
        {
            await http.SendAsync("POST /upload/big-chunked HTTP/1.1\r\nhost: web\r\ntransfer-encoding: chunked\r\n\r\n3e8\r\n", timeout.Token);
            await http.SendAsync(Fill('a', 1000), timeout.Token);
            await http.SendAsync("\r\n", timeout.Token);
            Assert.Equal("early", (await http.ReadResponseAsync(timeout.Token)).BodyText);
            try
            {
                for (var i = 0; i < 40; i++)
                {
                    await http.SendAsync("10000\r\n", timeout.Token);
                    await http.SendAsync(Fill('b', 0x10000), timeout.Token);
                    await http.SendAsync("\r\n", timeout.Token);
                }
            }
            catch (SocketException)
            {
                // the sidecar closed the connection under the upload
            }

            Assert.True(await http.ClosedByPeerAsync(timeout.Token), "the connection stayed open for a chunked body past the drain limit");
        }

        // A client that sends part of the rest and then nothing: closed when the drain's time is out.
        using (var http = new RawHttp(await lab.Pod.ConnectAsync(Service, cancellationToken: timeout.Token)))
        {
            await http.SendAsync("POST /upload/stalled HTTP/1.1\r\nhost: web\r\ncontent-length: 100000\r\n\r\n", timeout.Token);
            await http.SendAsync(Fill('a', 1000), timeout.Token);
            Assert.Equal("early", (await http.ReadResponseAsync(timeout.Token)).BodyText);
            await http.SendAsync(Fill('b', 1000), timeout.Token);
            Assert.True(await http.ClosedByPeerAsync(timeout.Token), "the connection stayed open for a client stopped mid-body");
        }

        using (var http = new RawHttp(await lab.Pod.ConnectAsync(Service, cancellationToken: timeout.Token)))
        {
            await http.SendAsync("GET /still-serving HTTP/1.1\r\nhost: web\r\n\r\n", timeout.Token);
            Assert.Equal("/still-serving", (await http.ReadResponseAsync(timeout.Token)).BodyText);
        }
    }

    private static byte[] Fill(char c, int count) => Enumerable.Repeat((byte)c, count).ToArray();

    /// <summary>
    /// An upstream that answers every POST as soon as its head has arrived ("early", 200), then reads its body as a
    /// server that keeps the connection must (a connection closed mid-body ends it); a GET gets its path back. Each
    /// request line and body it read is kept, in order.
    /// </summary>
    private sealed class EarlyServer
    {
        private readonly ConcurrentQueue<string> _requests = new();
        private readonly ConcurrentQueue<byte[]> _bodies = new();

        public IReadOnlyList<string> Requests => [.. _requests];

        public IReadOnlyList<byte[]> Bodies => [.. _bodies];

        public async Task ServeAsync(Socket socket, CancellationToken cancellationToken)
        {
            var reader = new Reader(socket);
            while (await reader.LineAsync("\r\n\r\n"u8.ToArray(), cancellationToken) is { } head)
            {
                var lines = head.Split("\r\n");
                var target = lines[0].Split(' ');
                _requests.Enqueue($"{target[0]} {target[1]}");
                if (target[0] != "POST")
                {
                    await SendAsync(socket, target[1], cancellationToken);
                    continue;
                }

                if (target[1] == "/duplex")
                {
                    await EchoAsync(socket, reader, lines, cancellationToken);
                    continue;
                }

                await SendAsync(socket, "early", cancellationToken);
                var length = lines.Skip(1).Select(l => l.Split(':', 2)).FirstOrDefault(p => p[0].Equals("content-length", StringComparison.OrdinalIgnoreCase));
                using var body = new MemoryStream();
                try
                {
                    if (length is not null)
                    {
                        body.Write(await reader.ExactlyAsync(int.Parse(length[1].Trim(), CultureInfo.InvariantCulture), cancellationToken));
                    }
                    else
                    {
                        while (int.Parse((await reader.RequiredLineAsync(cancellationToken)).Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture)
                            is var size and > 0)
                        {
                            body.Write(await reader.ExactlyAsync(size, cancellationToken));
                            await reader.RequiredLineAsync(cancellationToken);
                        }

                        while ((await reader.RequiredLineAsync(cancellationToken)).Length > 0)
                        {
                            // trailers
                        }
                    }
                }
                catch (EndOfStreamException)
                {
                    // The sidecar closed the connection mid-body (the body's rest went nowhere): what came is kept.
                    _bodies.Enqueue(body.ToArray());
                    return;
                }

                _bodies.Enqueue(body.ToArray());
            }
        }

        /// <summary>A duplex answer: its head at once, then every body byte back as it arrives; it ends with the body.</summary>
        private static async Task EchoAsync(Socket socket, Reader reader, string[] lines, CancellationToken cancellationToken)
        {
            var length = int.Parse(lines.Skip(1).Select(l => l.Split(':', 2)).First(p => p[0].Equals("content-length", StringComparison.OrdinalIgnoreCase))[1].Trim(),
                CultureInfo.InvariantCulture);
            await socket.SendAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\ncontent-length: {length}\r\n\r\n"), SocketFlags.None, cancellationToken);
            for (var left = length; left > 0;)
            {
                var piece = await reader.SomeAsync(left, cancellationToken);
                await socket.SendAsync(piece, SocketFlags.None, cancellationToken);
                left -= piece.Length;
            }
        }

        private static async Task SendAsync(Socket socket, string body, CancellationToken cancellationToken) =>
            await socket.SendAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\ncontent-length: {body.Length}\r\n\r\n{body}"), SocketFlags.None, cancellationToken);
    }

    /// <summary>Lines and exact counts of bytes off a socket, buffered.</summary>
    private sealed class Reader(Socket socket)
    {
        private readonly MemoryStream _pending = new();
        private readonly byte[] _buffer = new byte[64 * 1024];

        /// <summary>Up to <paramref name="end"/> (not included); null at the end of the connection.</summary>
        public async Task<string?> LineAsync(byte[] end, CancellationToken cancellationToken)
        {
            while (true)
            {
                var at = _pending.GetBuffer().AsSpan(0, (int)_pending.Length).IndexOf(end);
                if (at >= 0)
                {
                    var line = Encoding.ASCII.GetString(_pending.GetBuffer(), 0, at);
                    Take(at + end.Length);
                    return line;
                }

                if (!await FillAsync(cancellationToken))
                {
                    return null;
                }
            }
        }

        /// <summary>One CRLF-terminated line; the connection ending first is an <see cref="EndOfStreamException"/>.</summary>
        public async Task<string> RequiredLineAsync(CancellationToken cancellationToken) =>
            await LineAsync("\r\n"u8.ToArray(), cancellationToken) ?? throw new EndOfStreamException();

        /// <summary>What has arrived (waiting for something), at most <paramref name="max"/> bytes.</summary>
        public async Task<byte[]> SomeAsync(int max, CancellationToken cancellationToken)
        {
            if (_pending.Length == 0 && !await FillAsync(cancellationToken))
            {
                throw new EndOfStreamException();
            }

            return await ExactlyAsync((int)Math.Min(max, _pending.Length), cancellationToken);
        }

        public async Task<byte[]> ExactlyAsync(int count, CancellationToken cancellationToken)
        {
            while (_pending.Length < count)
            {
                if (!await FillAsync(cancellationToken))
                {
                    throw new EndOfStreamException();
                }
            }

            var bytes = _pending.GetBuffer().AsSpan(0, count).ToArray();
            Take(count);
            return bytes;
        }

        private void Take(int count)
        {
            var rest = _pending.GetBuffer().AsSpan(count, (int)_pending.Length - count).ToArray();
            _pending.SetLength(0);
            _pending.Write(rest);
        }

        private async Task<bool> FillAsync(CancellationToken cancellationToken)
        {
            int read;
            try
            {
                read = await socket.ReceiveAsync(_buffer, SocketFlags.None, cancellationToken);
            }
            catch (SocketException)
            {
                return false;
            }

            _pending.Write(_buffer, 0, read);
            return read > 0;
        }
    }
}
