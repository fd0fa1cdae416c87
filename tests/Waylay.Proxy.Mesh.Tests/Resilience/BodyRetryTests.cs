using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Waylay.Proxy.Mesh.Tests.Lab;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Mesh.Tests.Resilience;

/// <summary>
/// Retries of requests with a body, as Envoy's router does them: the body is kept (up to 1 MiB, Envoy's default
/// connection buffer limit) while it streams to the first endpoint, and a retry sends it again to the next one. With
/// Istio's default retries and one endpoint of three answering 503 before reading a byte of the body, POSTs (sized and
/// chunked) never fail and the healthy endpoint echoes exactly what the client sent; the sidecar counts each body once.
/// A body over 1 MiB is not resent (the client sees the 503), a pooled connection the server closes as a POST arrives
/// is replaced and the POST sent again, and <c>Expect: 100-continue</c> is answered by the sidecar itself.
/// </summary>
public sealed class BodyRetryTests
{
    private static readonly int[] Sizes = [1, 1000, 64 * 1024, 700 * 1024];

    [NetnsFact]
    public async Task DefaultRetries_PostsWithABody_OneEndpointOfThreeAnswering503Early_NoClientVisibleError_BodiesWholeAndCountedOnce()
    {
        await using var lab = await ServiceLab.StartAsync(rules: null, accessLog: true);
        lab.Endpoint("v3").FailWith = 503;
        using var client = lab.Client();

        var sent = new ConcurrentDictionary<string, int>();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async worker =>
        {
            for (var i = 0; i < 15; i++)
            {
                var payload = RandomNumberGenerator.GetBytes(Sizes[(worker + i) % Sizes.Length]);
                var path = $"/echo?w={worker}&i={i}";
                sent[path] = payload.Length;
                using var request = new HttpRequestMessage(HttpMethod.Post, ServiceLab.Url(path));
                if (i % 2 == 0)
                {
                    request.Content = new ByteArrayContent(payload);
                }
                else
                {
                    request.Content = new StreamContent(new MemoryStream(payload));
                    request.Headers.TransferEncodingChunked = true;
                }

                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                using var response = await client.SendAsync(request);
                Assert.Equal(200, (int)response.StatusCode);
                Assert.Equal(SHA256.HashData(payload), SHA256.HashData(await response.Content.ReadAsByteArrayAsync()));
            }
        }));

        // The failing endpoint was really tried: its 503s were retried elsewhere with the body sent again.
        Assert.True(lab.Endpoint("v3").Requests >= 5, $"v3 saw only {lab.Endpoint("v3").Requests} of 60 requests");
        Assert.Equal(60, lab.Endpoint("v1").Requests + lab.Endpoint("v2").Requests);

        // Each exchange counts the client's body once, however many tries carried it.
        var log = lab.AccessLog!;
        await Wait.UntilAsync(() => AccessLogLine.ReadAll(log).Count >= 60, "60 access-log lines", lastSeen: () => string.Join(Environment.NewLine, log.CompleteLines()));
        var lines = AccessLogLine.ReadAll(log);
        Assert.Equal(60, lines.Count);
        Assert.All(lines, line =>
        {
            Assert.Equal(200, line.ResponseCode);
            Assert.Equal(sent[line.Path], line.BytesReceived);
        });
        PrometheusScrape? scrape = null;
        await Wait.UntilAsync(async () =>
        {
            scrape = await PrometheusScrape.FetchAsync(lab.Pod.Namespace, TestProxy.AdminPort);
            return scrape.Sum("istio_request_bytes_count", ("reporter", "source")) >= 60;
        }, "60 requests in istio_request_bytes", lastSeen: () => Task.FromResult(scrape?.Family("istio_request_bytes") ?? ""));
        Assert.Equal(60, scrape!.Sum("istio_request_bytes_count", ("reporter", "source")));
        Assert.Equal(sent.Values.Sum(), scrape.Sum("istio_request_bytes_sum", ("reporter", "source"), ("response_code", "200")));
    }

    [NetnsFact]
    public async Task BodyOverOneMiB_IsNotResent_TheClientSeesThe503_AndNothingHangs()
    {
        await using var lab = await ServiceLab.StartAsync(rules: null, versions: 2);
        foreach (var endpoint in lab.Endpoints)
        {
            (endpoint.FailWith, endpoint.ReadBodyBeforeFailing) = (503, true);
        }

        using var client = lab.Client(maxConnections: 1);
        int Tries() => lab.Endpoints.Sum(e => e.Requests);

        // Within the buffer: the first try and Istio's two retries each get the whole body, and answer 503.
        using (var response = await client.PostAsync(ServiceLab.Url("/echo"), new ByteArrayContent(RandomNumberGenerator.GetBytes(512 * 1024))))
        {
            Assert.Equal(503, (int)response.StatusCode);
            Assert.Equal(3, Tries());
        }

        // Over it, sized or chunked: one try, whose 503 the client gets.
        using (var response = await client.PostAsync(ServiceLab.Url("/echo"), new ByteArrayContent(RandomNumberGenerator.GetBytes(3 << 19))))
        {
            Assert.Equal(503, (int)response.StatusCode);
            Assert.Equal(4, Tries());
        }

        using (var request = new HttpRequestMessage(HttpMethod.Post, ServiceLab.Url("/echo")) { Content = new StreamContent(new MemoryStream(RandomNumberGenerator.GetBytes(3 << 19))) })
        {
            request.Headers.TransferEncodingChunked = true;
            using var response = await client.SendAsync(request);
            Assert.Equal(503, (int)response.StatusCode);
            Assert.Equal(5, Tries());
        }

        // Endpoints answering before they read anything of a large body: whatever was still kept when the 503 came,
        // the exchange ends with the 503 and the next request is served.
        foreach (var endpoint in lab.Endpoints)
        {
            endpoint.ReadBodyBeforeFailing = false;
        }

        try
        {
            using var response = await client.PostAsync(ServiceLab.Url("/echo"), new ByteArrayContent(RandomNumberGenerator.GetBytes(4 << 20)));
            Assert.Equal(503, (int)response.StatusCode);
        }
        catch (HttpRequestException)
        {
            // The rest of this body is past the 1 MiB the sidecar reads away after an early answer: it closes the
            // connection (as Envoy does), which may cut the upload before the client reads the answer. A hang would
            // end in the client's timeout instead.
        }

        foreach (var endpoint in lab.Endpoints)
        {
            endpoint.FailWith = 0;
        }

        // On a new connection: the one above may have been closed after a 503 that did not say so (the rest of the
        // client's body was more than the sidecar reads away), which a client's next request on it would meet.
        using var next = lab.Client(maxConnections: 1);
        var payload = RandomNumberGenerator.GetBytes(3 << 19);
        using (var response = await next.PostAsync(ServiceLab.Url("/echo"), new ByteArrayContent(payload)))
        {
            Assert.Equal(200, (int)response.StatusCode);
            Assert.Equal(SHA256.HashData(payload), SHA256.HashData(await response.Content.ReadAsByteArrayAsync()));
        }
    }

    private const string Ratings = """
        - name: ratings
          namespace: default
          addresses: [10.96.0.22]
          ports:
          - {name: http, port: 9081}
          endpoints:
          - {address: 10.244.1.11}

        """;

    [NetnsFact]
    public async Task PooledConnectionClosedByTheServerAsAPostArrives_ThePostIsSentAgainOnANewConnection()
    {
        await using var lab = await ServiceLab.StartAsync(rules: null, versions: 1, extraServices: Ratings);
        var bodies = new ConcurrentQueue<byte[]>();
        using var server = lab.Peer.Serve(new IPEndPoint(ServiceLab.EndpointIp(1), 9081), (socket, ct) => ClosingAfterGetAsync(socket, bodies, ct));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var http = new RawHttp(await lab.Pod.ConnectAsync(new IPEndPoint(IPAddress.Parse("10.96.0.22"), 9081), cancellationToken: timeout.Token));

        var sized = RandomNumberGenerator.GetBytes(200 * 1024);
        var chunked = RandomNumberGenerator.GetBytes(300 * 1024);
        await http.SendAsync("GET /a HTTP/1.1\r\nhost: ratings:9081\r\n\r\n", timeout.Token);
        Assert.Equal("ok", (await http.ReadResponseAsync(timeout.Token)).BodyText);

        await http.SendAsync($"POST /sized HTTP/1.1\r\nhost: ratings:9081\r\ncontent-length: {sized.Length}\r\n\r\n", timeout.Token);
        await http.SendAsync(sized, timeout.Token);
        var response = await http.ReadResponseAsync(timeout.Token);
        Assert.Equal(200, response.Status);
        Assert.Equal(SHA256.HashData(sized), SHA256.HashData(response.Body));

        await http.SendAsync("GET /b HTTP/1.1\r\nhost: ratings:9081\r\n\r\n", timeout.Token);
        Assert.Equal("ok", (await http.ReadResponseAsync(timeout.Token)).BodyText);

        await http.SendAsync("POST /chunked HTTP/1.1\r\nhost: ratings:9081\r\ntransfer-encoding: chunked\r\n\r\n", timeout.Token);
        for (var offset = 0; offset < chunked.Length; offset += 50_000)
        {
            var piece = chunked.AsMemory(offset, Math.Min(50_000, chunked.Length - offset));
            await http.SendAsync($"{piece.Length:x}\r\n", timeout.Token);
            await http.SendAsync(piece, timeout.Token);
            await http.SendAsync("\r\n", timeout.Token);
        }

        await http.SendAsync("0\r\n\r\n", timeout.Token);
        response = await http.ReadResponseAsync(timeout.Token);
        Assert.Equal(200, response.Status);
        Assert.Equal(SHA256.HashData(chunked), SHA256.HashData(response.Body));

        // Each POST met a connection the server closed under it, and went out once more on a new one.
        Assert.Equal(3, server.Accepted);
        Assert.Equal([SHA256.HashData(sized), SHA256.HashData(chunked)], bodies.Select(SHA256.HashData));
    }

    /// <summary>
    /// Serves requests on one connection; after a GET it keeps the connection idle and closes it the moment the next
    /// request starts to arrive, unread (a server's idle timeout firing just then). POSTs are echoed.
    /// </summary>
    private static async Task ClosingAfterGetAsync(Socket socket, ConcurrentQueue<byte[]> bodies, CancellationToken cancellationToken)
    {
        var reader = new RequestReader(socket);
        while (await reader.ReadAsync(cancellationToken) is (string method, byte[] body))
        {
            if (method == "GET")
            {
                await socket.SendAsync("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"u8.ToArray(), SocketFlags.None, cancellationToken);
                await socket.ReceiveAsync(new byte[1], SocketFlags.Peek, cancellationToken);
                socket.Close();
                return;
            }

            bodies.Enqueue(body);
            await socket.SendAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\ncontent-length: {body.Length}\r\n\r\n"), SocketFlags.None, cancellationToken);
            await socket.SendAsync(body, SocketFlags.None, cancellationToken);
        }
    }

    [NetnsFact]
    public async Task ExpectContinue_AnsweredByTheSidecar_TheBodyReachesAHealthyEndpointAcrossRetries()
    {
        await using var lab = await ServiceLab.StartAsync(rules: null);
        lab.Endpoint("v3").FailWith = 503;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var http = new RawHttp(await lab.Pod.ConnectAsync(new IPEndPoint(ServiceLab.ServiceIp, ServiceLab.Port), cancellationToken: timeout.Token));

        for (var i = 0; i < 30; i++)
        {
            var payload = RandomNumberGenerator.GetBytes(20_000);
            await http.SendAsync($"POST /echo?i={i} HTTP/1.1\r\nhost: reviews:9080\r\ncontent-length: {payload.Length}\r\nexpect: 100-continue\r\n\r\n", timeout.Token);

            // The client sends its body only after the 100: it comes from the sidecar, whichever endpoint answers.
            Assert.Equal(100, await http.ReadInterimAsync(timeout.Token));
            await http.SendAsync(payload, timeout.Token);
            var response = await http.ReadResponseAsync(timeout.Token);
            Assert.Equal(200, response.Status);
            Assert.Equal(SHA256.HashData(payload), SHA256.HashData(response.Body));
        }

        Assert.True(lab.Endpoint("v3").Requests >= 1, "the failing endpoint was never tried");
        Assert.Equal(30, lab.Endpoint("v1").Requests + lab.Endpoint("v2").Requests);
        Assert.DoesNotContain(lab.Endpoints.SelectMany(e => e.Served), r => r.Fields.ContainsKey("expect"));
    }

    /// <summary>Requests off a socket, server side: method and body (Content-Length or chunked, as the sidecar frames them).</summary>
    private sealed class RequestReader(Socket socket)
    {
        private readonly byte[] _buffer = new byte[1 << 20];
        private int _start;
        private int _end;

        public async Task<(string Method, byte[] Body)?> ReadAsync(CancellationToken cancellationToken)
        {
            var head = await LineAsync("\r\n\r\n"u8.ToArray(), cancellationToken);
            if (head is null)
            {
                return null;
            }

            var lines = head.Split("\r\n");
            string? Field(string name) => lines.Skip(1).Select(l => l.Split(':', 2)).Where(p => p[0].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
                .Select(p => p[1].Trim()).FirstOrDefault();
            using var body = new MemoryStream();
            if (Field("content-length") is { } length)
            {
                body.Write(await ExactlyAsync(int.Parse(length, CultureInfo.InvariantCulture), cancellationToken));
            }
            else if (Field("transfer-encoding") == "chunked")
            {
                while (int.Parse((await LineAsync("\r\n"u8.ToArray(), cancellationToken))!, NumberStyles.HexNumber, CultureInfo.InvariantCulture) is var size and > 0)
                {
                    body.Write(await ExactlyAsync(size, cancellationToken));
                    await LineAsync("\r\n"u8.ToArray(), cancellationToken);
                }

                await LineAsync("\r\n"u8.ToArray(), cancellationToken);
            }

            return (lines[0].Split(' ')[0], body.ToArray());
        }

        private async Task<string?> LineAsync(byte[] end, CancellationToken cancellationToken)
        {
            while (true)
            {
                var at = _buffer.AsSpan(_start, _end - _start).IndexOf(end);
                if (at >= 0)
                {
                    var text = Encoding.ASCII.GetString(_buffer, _start, at);
                    _start += at + end.Length;
                    return text;
                }

                if (!await FillAsync(cancellationToken))
                {
                    return null;
                }
            }
        }

        private async Task<byte[]> ExactlyAsync(int count, CancellationToken cancellationToken)
        {
            var bytes = new byte[count];
            var copied = 0;
            while (copied < count)
            {
                if (_end == _start && !await FillAsync(cancellationToken))
                {
                    throw new EndOfStreamException($"the connection ended after {copied} of {count} body bytes");
                }

                var n = Math.Min(count - copied, _end - _start);
                _buffer.AsSpan(_start, n).CopyTo(bytes.AsSpan(copied));
                (_start, copied) = (_start + n, copied + n);
            }

            return bytes;
        }

        private async Task<bool> FillAsync(CancellationToken cancellationToken)
        {
            if (_start == _end)
            {
                (_start, _end) = (0, 0);
            }
            else if (_end == _buffer.Length)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                (_start, _end) = (0, _end - _start);
            }

            var read = await socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
            _end += read;
            return read > 0;
        }
    }
}
