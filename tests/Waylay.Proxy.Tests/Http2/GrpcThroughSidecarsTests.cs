using System.Net;
using Grpc.Core;
using System.Text.RegularExpressions;
using Grpc.Net.Client;
using Waylay.Proxy.Tests.Kernel;
using Waylay.TestKit;
using Xunit;
using static Waylay.Proxy.Tests.Http2.EchoGrpc;

namespace Waylay.Proxy.Tests.Http2;

/// <summary>
/// gRPC for real through both sidecars: a gRPC client in pod A dials the service's ClusterIP; A's capture rules hand
/// the connection to A's proxy, which sniffs the h2 preface and serves it with the h2 gateway, routing every call;
/// each call goes to an endpoint in pod B, where B's proxy does the same inbound and delivers it to the gRPC server.
/// <code>
///   A: client ─► :15001 proxy (h2 gateway) ─► 10.244.1.3:9091|9092 ═veth═► B: :15006 proxy (h2 gateway) ─► 127.0.0.1:9091|9092
/// </code>
/// </summary>
public sealed class GrpcThroughSidecarsTests
{
    private static readonly IPEndPoint Service = new(IPAddress.Parse("10.96.0.30"), 9090);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private const string Mesh = """
        version: grpc-v1
        services:
        - name: echo
          addresses: [10.96.0.30]
          ports: [{name: grpc, port: 9090}]
          endpoints:
          - {address: 10.244.1.3, ports: {grpc: 9091}, labels: {app: echo, version: v1}}
          - {address: 10.244.1.3, ports: {grpc: 9092}, labels: {app: echo, version: v2}}
        """;

    // jason goes to v2; everyone else to the whole service, balanced call by call.
    private const string Rules = """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: echo, namespace: default}
        spec:
          hosts: [echo]
          http:
          - match: [{headers: {end-user: {exact: jason}}}]
            route: [{destination: {host: echo, subset: v2}}]
          - route: [{destination: {host: echo}}]
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: echo, namespace: default}
        spec:
          host: echo
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
        """;

    [NetnsFact]
    public async Task GrpcCalls_PassBothSidecars_BalancedPerCall_RoutedByHeader_Counted()
    {
        var (a, b) = await TestPod.CreatePairAsync("10.244.1.2/24", "10.244.1.3/24");
        await using var _ = a;
        await using var __ = b;
        using var mesh = new MeshFile(Mesh);
        using var rules = new MeshFile(Rules);
        await a.CaptureAsync(TestPod.StandardCapture);
        await b.CaptureAsync(TestPod.StandardCapture);
        var proxyA = await a.StartProxyAsync("--config", mesh.Path, "--rules", rules.Path);
        var proxyB = await b.StartProxyAsync();
        await using var v1 = await GrpcBackend.StartAsync("v1", b.Namespace.Listen(new IPEndPoint(IPAddress.Any, 9091)));
        await using var v2 = await GrpcBackend.StartAsync("v2", b.Namespace.Listen(new IPEndPoint(IPAddress.Any, 9092)));

        // The app's client: every connection it opens is made inside pod A as an app uid, so capture applies.
        using var channel = GrpcChannel.ForAddress($"http://{Service}", new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = false,
                ConnectCallback = async (context, ct) =>
                    new System.Net.Sockets.NetworkStream(await a.ConnectAsync(new IPEndPoint(IPAddress.Parse(context.DnsEndPoint.Host), context.DnsEndPoint.Port), cancellationToken: ct), ownsSocket: true),
            },
            DisposeHttpClient = true,
        });
        var invoker = channel.CreateCallInvoker();
        CallOptions Options(Metadata? headers = null) => new(headers, DateTime.UtcNow + Bound);
        var calls = 0;

        // Unary, balanced per call over both endpoints although the client keeps one connection.
        var served = new Dictionary<string, int>();
        for (var i = 0; i < 10; i++, calls++)
        {
            var parts = Text(await invoker.AsyncUnaryCall(Unary, null, Options(), Text($"u{i}")).ResponseAsync).Split('|');
            Assert.Equal(Service.ToString(), parts[1]);   // :authority as the app sent it, through both hops
            Assert.Contains("10.244.1.2", parts[2]);      // x-forwarded-for: the calling pod
            Assert.Equal($"u{i}", parts[5]);
            served[parts[0]] = served.GetValueOrDefault(parts[0]) + 1;
        }

        Assert.Equal(new[] { "v1", "v2" }, served.Keys.Order());

        // The header match wins every time.
        for (var i = 0; i < 4; i++, calls++)
        {
            Assert.StartsWith("v2|", Text(await invoker.AsyncUnaryCall(Unary, null, Options(new Metadata { { "end-user", "jason" } }), Text("j")).ResponseAsync));
        }

        // Server streaming, client streaming, bidi in lock step; trailers arrive.
        using (var split = invoker.AsyncServerStreamingCall(Split, null, Options(), Text("a,b,c")))
        {
            var got = new List<string>();
            await foreach (var message in split.ResponseStream.ReadAllAsync())
            {
                got.Add(Text(message));
            }

            var name = split.GetTrailers().GetValue("served-by");
            Assert.Equal(new[] { $"{name}:a", $"{name}:b", $"{name}:c" }, got);
            calls++;
        }

        using (var join = invoker.AsyncClientStreamingCall(Join, null, Options()))
        {
            foreach (var part in new[] { "x", "y", "z" })
            {
                await join.RequestStream.WriteAsync(Text(part));
            }

            await join.RequestStream.CompleteAsync();
            var answer = Text(await join.ResponseAsync);
            Assert.Equal($"{join.GetTrailers().GetValue("served-by")}:x+y+z", answer);
            calls++;
        }

        using (var chat = invoker.AsyncDuplexStreamingCall(Chat, null, Options()))
        {
            for (var i = 0; i < 10; i++)
            {
                await chat.RequestStream.WriteAsync(Text($"m{i}"));
                Assert.True(await chat.ResponseStream.MoveNext());
                Assert.EndsWith($":m{i}", Text(chat.ResponseStream.Current));
            }

            await chat.RequestStream.CompleteAsync();
            Assert.False(await chat.ResponseStream.MoveNext());
            Assert.NotNull(chat.GetTrailers().GetValue("served-by"));
            calls++;
        }

        // An application error passes with its status and message.
        var error = await Assert.ThrowsAsync<RpcException>(() => invoker.AsyncUnaryCall(Fail, null, Options(), Text("it")).ResponseAsync);
        calls++;
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Matches("^v[12] refuses it$", error.Status.Detail);

        // Plain h2c (prior knowledge) takes the same path.
        using (var plain = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
                new System.Net.Sockets.NetworkStream(await a.ConnectAsync(new IPEndPoint(IPAddress.Parse(context.DnsEndPoint.Host), context.DnsEndPoint.Port), cancellationToken: ct), ownsSocket: true),
        }))
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{Service}/plain") { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            using var response = await plain.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Matches($"^v[12]\\|{Regex.Escape(Service.ToString())}\\|HTTP/2$", await response.Content.ReadAsStringAsync());
        }

        // Two client connections reached A's proxy: the gRPC channel's, which carried every call, and the plain
        // client's. A counted every call as gRPC, with its status.
        Assert.Equal(2, await proxyA.MetricAsync("waylay_downstream_cx_total", "listener=\"outbound\""));
        await Wait.UntilAsync(async () => await SumAsync(proxyA, "istio_requests_total", "reporter=\"source\"", "request_protocol=\"grpc\"") == calls,
            $"{calls} gRPC calls counted by A: " + (await proxyA.GetAsync("/stats/prometheus")).Body);
        Assert.Equal(1, await SumAsync(proxyA, "istio_requests_total", "request_protocol=\"grpc\"", "grpc_response_status=\"9\""));

        // /connections lists A's pooled h2c upstream connections with the calls each carried.
        var (_, connections) = await proxyA.GetAsync("/connections");
        var rows = System.Text.Json.JsonDocument.Parse(connections).RootElement.EnumerateArray()
            .Where(r => r.GetProperty("direction").GetString() == "upstream-h2").ToList();
        Assert.Equal(new[] { "10.244.1.3:9091", "10.244.1.3:9092" }, rows.Select(r => r.GetProperty("endpoint").GetString()).Order());
        Assert.Equal(calls + 1, rows.Sum(r => r.GetProperty("requests").GetInt64())); // + the plain GET

        // B served them inbound with its own gateway: each call counted once more, by the destination's reporter.
        await Wait.UntilAsync(async () => await SumAsync(proxyB, "istio_requests_total", "reporter=\"destination\"", "request_protocol=\"grpc\"") == calls,
            $"{calls} gRPC calls counted by B: " + (await proxyB.GetAsync("/stats/prometheus")).Body);
    }

    private static async Task<double> SumAsync(TestProxy proxy, string name, params string[] labels)
    {
        var (_, body) = await proxy.GetAsync("/stats/prometheus");
        double sum = 0;
        foreach (var line in body.Split('\n'))
        {
            if (line.StartsWith(name + "{", StringComparison.Ordinal) && labels.All(line.Contains))
            {
                sum += double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return sum;
    }
}
