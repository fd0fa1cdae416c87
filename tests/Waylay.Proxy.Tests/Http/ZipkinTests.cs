using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Waylay.Proxy.Tests.Kernel;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Tests.Http;

/// <summary>
/// The seed's <c>--zipkinAddress</c> at work: sampled requests become Zipkin v2 spans (kind CLIENT for the outbound hop,
/// Istio's span name <c>host:port/*</c>, the trace id the request carried) posted to the collector in batches.
/// </summary>
public sealed class ZipkinTests
{
    private const string Mesh = PodWithPeer.OneServiceMesh;

    [NetnsFact]
    public async Task SampledRequests_ArePostedAsSpans_WithTheCallersTraceId()
    {
        using var mesh = new MeshFile(Mesh);
        var posted = new ConcurrentQueue<string>();
        await using var lab = await PodWithPeer.CreateAsync("--config", mesh.Path, "--zipkinAddress", "127.0.0.1:9411", "--trace-sampling", "100");
        using var collector = lab.Pod.Serve(new IPEndPoint(IPAddress.Loopback, 9411), Collector(posted));
        await using var app = await TestHttpServer.StartAsync(lab.Peer.Namespace, new IPEndPoint(PodWithPeer.Endpoint(1), 8080), "v1");

        const string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        using var http = new RawHttp(await lab.Pod.ConnectAsync(new IPEndPoint(IPAddress.Parse("10.96.0.40"), 8080)));
        for (var i = 0; i < 5; i++)
        {
            await http.SendAsync($"GET /item/{i} HTTP/1.1\r\nhost: web.shop:8080\r\ntraceparent: 00-{traceId}-00f067aa0ba902b7-01\r\n\r\n");
            Assert.Equal(200, (await http.ReadResponseAsync()).Status);
        }

        // Five sampled spans fill one batch (the exporter's batch size), so they go out without waiting for the timer.
        var spans = new List<JsonElement>();
        await Wait.UntilAsync(() =>
        {
            while (posted.TryDequeue(out var body))
            {
                spans.AddRange(JsonDocument.Parse(body).RootElement.EnumerateArray());
            }

            return Task.FromResult(spans.Count >= 5);
        }, "five spans at the collector");

        Assert.All(spans, span =>
        {
            Assert.Equal(traceId, span.GetProperty("traceId").GetString());
            Assert.Equal("00f067aa0ba902b7", span.GetProperty("parentId").GetString());
            Assert.Equal("CLIENT", span.GetProperty("kind").GetString());
            Assert.Equal("200", span.GetProperty("tags").GetProperty("http.status_code").GetString());
        });
        Assert.Equal(5, spans.Select(s => s.GetProperty("id").GetString()).Distinct().Count());
    }

    /// <summary>A Zipkin collector: keep-alive HTTP/1.1, records each POST body, answers 202.</summary>
    private static Func<Socket, CancellationToken, Task> Collector(ConcurrentQueue<string> posted) => async (socket, ct) =>
    {
        var buffer = new List<byte>();
        var chunk = new byte[65536];
        while (true)
        {
            var text = Encoding.ASCII.GetString(buffer.ToArray());
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                var length = text[..end].Split("\r\n").Where(l => l.StartsWith("content-length:", StringComparison.OrdinalIgnoreCase))
                    .Select(l => int.Parse(l[15..].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
                if (buffer.Count >= end + 4 + length)
                {
                    posted.Enqueue(Encoding.UTF8.GetString(buffer.GetRange(end + 4, length).ToArray()));
                    buffer.RemoveRange(0, end + 4 + length);
                    await socket.SendAsync("HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n\r\n"u8.ToArray(), SocketFlags.None, ct);
                    continue;
                }
            }

            var n = await socket.ReceiveAsync(chunk, SocketFlags.None, ct);
            if (n == 0)
            {
                return;
            }

            buffer.AddRange(chunk.AsSpan(0, n).ToArray());
        }
    };
}
