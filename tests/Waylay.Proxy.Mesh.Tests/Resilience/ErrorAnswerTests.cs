using System.Net;
using Waylay.Proxy.Mesh.Tests.Lab;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Mesh.Tests.Resilience;

/// <summary>
/// The answers Envoy gives itself when it cannot forward, with the response flag in the access log and (Waylay's
/// addition, like linkerd's <c>l5d-proxy-error</c>) an <c>x-waylay-proxy-error</c> header: no route 404 NR, no healthy
/// endpoint 503 UH, connect failure 503 UF (after Istio's default retries on connect-failure), pending-request
/// overflow of the DestinationRule's connection pool 503 UO.
/// </summary>
public sealed class ErrorAnswerTests : IClassFixture<ErrorAnswerTests.Fixture>
{
    private const string Rules = """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: reviews
          namespace: default
        spec:
          hosts: [reviews]
          http:
          - match: [{uri: {prefix: /api}}]
            route: [{destination: {host: reviews}}]
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata:
          name: pooled
          namespace: default
        spec:
          host: pooled
          trafficPolicy:
            connectionPool:
              tcp: {maxConnections: 1}
              http: {http1MaxPendingRequests: 1}
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata:
          name: capped
          namespace: default
        spec:
          host: capped
          trafficPolicy:
            connectionPool:
              http: {http2MaxRequests: 1}
        """;

    // ratings: its only endpoint is Unhealthy; details: its endpoint refuses (address up, nothing listening);
    // pooled: one slow endpoint behind a pool of one connection and one pending request; capped: one endpoint
    // behind http2MaxRequests 1 (Envoy's max_requests, which Istio applies to HTTP/1 as well).
    private const string ExtraServices = """
        - name: ratings
          namespace: default
          addresses: [10.96.0.11]
          ports:
          - {name: http, port: 9080}
          endpoints:
          - {address: 10.244.1.11, health: Unhealthy}
        - name: details
          namespace: default
          addresses: [10.96.0.12]
          ports:
          - {name: http, port: 9080}
          endpoints:
          - {address: 10.244.1.14}
        - name: pooled
          namespace: default
          addresses: [10.96.0.13]
          ports:
          - {name: http, port: 9080}
          endpoints:
          - {address: 10.244.1.12}
        - name: capped
          namespace: default
          addresses: [10.96.0.15]
          ports:
          - {name: http, port: 9080}
          endpoints:
          - {address: 10.244.1.13}

        """;

    private static readonly Dictionary<string, IPAddress> Hosts = new()
    {
        ["reviews"] = ServiceLab.ServiceIp,
        ["ratings"] = IPAddress.Parse("10.96.0.11"),
        ["details"] = IPAddress.Parse("10.96.0.12"),
        ["pooled"] = IPAddress.Parse("10.96.0.13"),
        ["capped"] = IPAddress.Parse("10.96.0.15"),
    };

    private readonly Fixture _fixture;

    public ErrorAnswerTests(Fixture fixture) => _fixture = fixture;

    private ServiceLab Lab => _fixture.Lab;

    [NetnsFact]
    public async Task NoMatchingRoute_404_FlagNR_AppNotReached()
    {
        using var client = TestHttpClient.Create(Lab.Pod.Namespace, Hosts);
        using var routed = await client.GetAsync("http://reviews:9080/api/ok");
        Assert.Equal(200, (int)routed.StatusCode);

        using var response = await client.GetAsync("http://reviews:9080/not-routed");
        await AssertSyntheticAsync(response, 404, "/not-routed", "NR");
        Assert.DoesNotContain(Lab.Endpoints, e => e.Served.Any(r => r.PathAndQuery == "/not-routed"));
    }

    [NetnsFact]
    public async Task NoHealthyEndpoint_503_FlagUH()
    {
        using var client = TestHttpClient.Create(Lab.Pod.Namespace, Hosts);
        using var response = await client.GetAsync("http://ratings:9080/no-healthy");
        await AssertSyntheticAsync(response, 503, "/no-healthy", "UH");
        Assert.DoesNotContain(Lab.Endpoints, e => e.Served.Any(r => r.PathAndQuery == "/no-healthy"));
    }

    [NetnsFact]
    public async Task ConnectRefused_503_FlagUF()
    {
        using var client = TestHttpClient.Create(Lab.Pod.Namespace, Hosts);
        using var response = await client.GetAsync("http://details:9080/refused");
        await AssertSyntheticAsync(response, 503, "/refused", "UF");
    }

    [NetnsFact]
    public async Task PendingRequestsOverflow_503_FlagUO_WhileThePoolServesWhatFits()
    {
        using var client = TestHttpClient.Create(Lab.Pod.Namespace, Hosts);

        // Eight at once on eight connections against a pool of one connection and one pending request, each held 3 s
        // by the app: at most two can be taken, the rest overflow at once.
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            using var response = await client.GetAsync($"http://pooled:9080/delay/3000?n={i}");
            return ((int)response.StatusCode, response.Headers.Contains("x-waylay-proxy-error"));
        }));

        Assert.Contains(responses, r => r.Item1 == 200);
        Assert.Contains(responses, r => r.Item1 == 503 && r.Item2);
        await Wait.UntilAsync(() => AccessLogLine.ReadAll(Lab.AccessLog!).Count(l => l.Path.StartsWith("/delay/3000?n=", StringComparison.Ordinal)) == 8,
            "eight access-log lines for the pool test", lastSeen: () => string.Join(Environment.NewLine, Lab.AccessLog!.CompleteLines()));
        var lines = AccessLogLine.ReadAll(Lab.AccessLog!).Where(l => l.Path.StartsWith("/delay/3000?n=", StringComparison.Ordinal)).ToList();
        Assert.Equal(responses.Count(r => r.Item1 == 503), lines.Count(l => l.ResponseCode == 503 && l.ResponseFlags.Split(',').Contains("UO")));
        Assert.Equal(responses.Count(r => r.Item1 == 200), Lab.Endpoint("v2").Served.Count(r => r.PathAndQuery.StartsWith("/delay/3000", StringComparison.Ordinal)));
    }

    [NetnsFact]
    public async Task MaxRequestsOverflow_OnHttp1_503_FlagUO_AtOnce_AndTheSlotComesBack()
    {
        using var client = TestHttpClient.Create(Lab.Pod.Namespace, Hosts);

        // Four at once, each held 2 s by the app, against one request in flight: the others are refused, not queued.
        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(async i =>
        {
            using var response = await client.GetAsync($"http://capped:9080/delay/2000?capped={i}");
            return ((int)response.StatusCode, response.Headers.Contains("x-waylay-proxy-error"));
        }));

        Assert.Contains(responses, r => r.Item1 == 200);
        Assert.Contains(responses, r => r.Item1 == 503 && r.Item2);
        Assert.Equal(responses.Count(r => r.Item1 == 200), Lab.Endpoint("v3").Served.Count(r => r.PathAndQuery.Contains("capped=", StringComparison.Ordinal)));
        await Wait.UntilAsync(() => AccessLogLine.ReadAll(Lab.AccessLog!).Count(l => l.Path.Contains("capped=", StringComparison.Ordinal)) == 4,
            "four access-log lines for the capped test", lastSeen: () => string.Join(Environment.NewLine, Lab.AccessLog!.CompleteLines()));
        Assert.Equal(responses.Count(r => r.Item1 == 503),
            AccessLogLine.ReadAll(Lab.AccessLog!).Count(l => l.Path.Contains("capped=", StringComparison.Ordinal) && l.ResponseFlags.Split(',').Contains("UO")));

        // Every slot was given back: one request alone goes through.
        using var alone = await client.GetAsync("http://capped:9080/after-capped");
        Assert.Equal(200, (int)alone.StatusCode);
    }

    private async Task AssertSyntheticAsync(HttpResponseMessage response, int status, string path, string flag)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.True(response.Headers.TryGetValues("x-waylay-proxy-error", out var error) && error.Single().Length > 0,
            $"a synthetic {status} carries x-waylay-proxy-error; headers: {response.Headers}");
        var line = await AccessLogs.LineForAsync(Lab.AccessLog!, path);
        Assert.Equal(status, line.ResponseCode);
        Assert.Contains(flag, line.ResponseFlags.Split(','));
    }

    public sealed class Fixture : LabFixture
    {
        private protected override async Task<ServiceLab> StartAsync()
        {
            var lab = await ServiceLab.StartAsync(Rules, accessLog: true, extraServices: ExtraServices);
            try
            {
                // 10.244.1.14 answers (the peer owns it) but nothing listens: every connect is refused at once.
                await lab.Peer.Namespace.AddAddressAsync("eth0", "10.244.1.14/32");
                return lab;
            }
            catch
            {
                await lab.DisposeAsync();
                throw;
            }
        }
    }
}
