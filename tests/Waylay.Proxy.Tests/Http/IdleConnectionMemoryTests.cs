using System.Net;
using Waylay.Proxy.Tests.Kernel;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Tests.Http;

/// <summary>
/// A held keep-alive connection waiting for its next request costs no buffer (docs/designs/proxy.md, "Memory"):
/// neither the client's connection nor the pooled upstream one holds a rented reader, writer or head buffer, as the
/// proxy's own gauge (<c>waylay_server_memory_buffers_rented</c>) reports it. A head half received is the control:
/// its bytes must wait in a buffer, and the gauge must see that one.
/// </summary>
public sealed class IdleConnectionMemoryTests
{
    private const int Held = 20;

    [NetnsFact]
    public async Task HeldKeepAliveConnections_BetweenRequests_HoldNoRentedBuffer()
    {
        using var mesh = new MeshFile(PodWithPeer.OneServiceMesh);
        await using var lab = await PodWithPeer.CreateAsync("--config", mesh.Path);
        await using var server = await TestHttpServer.StartAsync(lab.Peer.Namespace, new IPEndPoint(PodWithPeer.Endpoint(1), 8080), "web");
        var service = new IPEndPoint(IPAddress.Parse("10.96.0.40"), 8080);
        var held = new List<RawHttp>();
        try
        {
            for (var i = 0; i < Held; i++)
            {
                var http = new RawHttp(await lab.Pod.ConnectAsync(service));
                held.Add(http);
                await http.SendAsync($"GET /{i} HTTP/1.1\r\nhost: web.shop:8080\r\n\r\n");
                Assert.Equal(200, (await http.ReadResponseAsync()).Status);
            }

            // Every connection answered and open, each waiting for its next request; their upstreams idle in the pool.
            var gauge = new RentedGauge(lab);
            await Wait.UntilAsync(() => gauge.IsAsync(0), () => $"no rented buffer while every connection waits ({gauge})");
            Assert.Equal(Held, await lab.Proxy.MetricAsync("waylay_downstream_cx_active", "listener=\"outbound\""));
            Assert.True(await lab.Proxy.MetricAsync("waylay_upstream_cx_active", "service=\"web.shop\"") >= 1);

            // Half a head: its bytes are kept in the reader's buffer until the rest comes, and the gauge counts it.
            await held[0].SendAsync("GET /half HTTP/1.1\r\nhost: web.shop:8080\r\n");
            await Wait.UntilAsync(() => gauge.IsAsync(1), () => $"one buffer for the half-received head ({gauge})");
            Assert.True(await lab.Proxy.MetricAsync("waylay_server_memory_buffer_bytes_rented") > 0);

            await held[0].SendAsync("\r\n");
            Assert.Equal(200, (await held[0].ReadResponseAsync()).Status);
            await Wait.UntilAsync(() => gauge.IsAsync(0), () => $"the buffer given back once the request was answered ({gauge})");
        }
        finally
        {
            foreach (var http in held)
            {
                http.Dispose();
            }
        }
    }

    /// <summary>
    /// A client that has connected and not yet spoken costs no buffer either, on a port declared HTTP (only the h2c
    /// preface is looked for, in the stack) and on an undeclared one (sniffed once bytes come): a burst of connections
    /// accepted before their requests arrive held a 4 KiB peek buffer each while they waited (docs/benchmarks.md,
    /// "Sidecar memory: the burst's peak"). Their requests, sent afterwards, are still detected and answered.
    /// </summary>
    [NetnsFact]
    public async Task ConnectionsWhoseClientHasNotSpoken_HoldNoRentedBuffer_AndAreServedWhenTheRequestComes()
    {
        using var mesh = new MeshFile("""
            services:
            - name: web
              namespace: shop
              addresses: [10.96.0.40]
              ports: [{name: http, port: 8080}, {name: plain, port: 9090}]
              endpoints:
              - address: 10.244.1.11
            """);
        // The undeclared port's clients stay silent while the test looks: past the default 100 ms detection timeout (a
        // loaded machine) they would go the L4 way, as under Istio, which is not what this test is about.
        await using var lab = await PodWithPeer.CreateAsync("--config", mesh.Path, "--protocol-detection-timeout", "30s");
        await using var declared = await TestHttpServer.StartAsync(lab.Peer.Namespace, new IPEndPoint(PodWithPeer.Endpoint(1), 8080), "web");
        await using var sniffed = await TestHttpServer.StartAsync(lab.Peer.Namespace, new IPEndPoint(PodWithPeer.Endpoint(1), 9090), "web");
        var silent = new List<RawHttp>();
        try
        {
            foreach (var port in new[] { 8080, 9090 })
            {
                for (var i = 0; i < Held / 2; i++)
                {
                    silent.Add(new RawHttp(await lab.Pod.ConnectAsync(new IPEndPoint(IPAddress.Parse("10.96.0.40"), port))));
                }
            }

            await Wait.UntilAsync(async () => await lab.Proxy.MetricAsync("waylay_downstream_cx_active", "listener=\"outbound\"") == Held,
                () => $"{Held} connections accepted by the proxy");
            var gauge = new RentedGauge(lab);
            Assert.True(await gauge.IsAsync(0), $"no rented buffer while the clients are silent ({gauge})");

            for (var i = 0; i < silent.Count; i++)
            {
                var port = i < Held / 2 ? 8080 : 9090;
                await silent[i].SendAsync($"GET /{i} HTTP/1.1\r\nhost: web.shop:{port}\r\n\r\n");
                Assert.Equal(200, (await silent[i].ReadResponseAsync()).Status);
            }

            // The undeclared port's requests went the HTTP way too (each counted as a request), not through the L4 relay.
            var (_, metrics) = await lab.Proxy.GetAsync("/stats/prometheus");
            var requests = metrics.Split('\n').Where(line => line.StartsWith("istio_requests_total{", StringComparison.Ordinal))
                .Sum(line => long.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(Held, requests);
        }
        finally
        {
            foreach (var http in silent)
            {
                http.Dispose();
            }
        }
    }

    /// <summary>The gauge as last scraped, so a failure says what the proxy reported.</summary>
    private sealed class RentedGauge(PodWithPeer lab)
    {
        private long _last = -1;

        public async Task<bool> IsAsync(long expected) =>
            (_last = await lab.Proxy.MetricAsync("waylay_server_memory_buffers_rented")) == expected;

        public override string ToString() => $"waylay_server_memory_buffers_rented was {_last}";
    }
}
