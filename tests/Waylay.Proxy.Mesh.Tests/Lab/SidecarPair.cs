using System.Net;
using Waylay.TestKit;

namespace Waylay.Proxy.Mesh.Tests.Lab;

/// <summary>
/// Istio's own benchmark layout: client app → client sidecar → server sidecar → server app, both pods captured, both
/// sidecars the real <c>waylay proxy</c> reading the same mesh.yaml:
/// <code>
///   productpage 10.244.2.2: app ─► :15001 sidecar ─► 10.244.2.3:9080 ═veth═► reviews-v1 10.244.2.3: :15006 sidecar ─► 127.0.0.1:9080 Kestrel
/// </code>
/// </summary>
internal sealed class SidecarPair : IAsyncDisposable
{
    public const ushort Port = 9080;
    public static readonly IPAddress ServiceIp = IPAddress.Parse("10.96.0.10");

    public const string Mesh = """
        version: pair
        services:
        - name: reviews
          namespace: default
          addresses: [10.96.0.10]
          ports:
          - {name: http, port: 9080}
          endpoints:
          - {address: 10.244.2.3, labels: {app: reviews, version: v1}}
        workloads:
        - name: productpage-v1
          namespace: default
          addresses: [10.244.2.2]
          labels: {app: productpage, version: v1}
        - name: reviews-v1
          namespace: default
          addresses: [10.244.2.3]
          labels: {app: reviews, version: v1}
        """;

    private readonly List<TestFile> _files = [];

    private SidecarPair(TestPod client, TestPod server)
    {
        Client = client;
        Server = server;
    }

    public TestPod Client { get; }

    public TestPod Server { get; }

    public TestHttpServer App { get; private set; } = null!;

    public TestFile? ClientLog { get; private set; }

    public TestFile? ServerLog { get; private set; }

    public static async Task<SidecarPair> StartAsync(bool accessLogs = false)
    {
        var (client, server) = await TestPod.CreatePairAsync("10.244.2.2/24", "10.244.2.3/24");
        var pair = new SidecarPair(client, server);
        try
        {
            var mesh = TestFile.Config("mesh", Mesh);
            pair._files.Add(mesh);
            pair.App = await TestHttpServer.StartAsync(server.Namespace, new IPEndPoint(IPAddress.IPv6Any, Port), "v1");
            await client.CaptureAsync(TestPod.StandardCapture);
            await server.CaptureAsync(TestPod.StandardCapture);
            string[] clientArgs = ["--config", mesh.Path];
            string[] serverArgs = ["--config", mesh.Path];
            if (accessLogs)
            {
                pair.ClientLog = TestFile.Log("clientlog");
                pair.ServerLog = TestFile.Log("serverlog");
                pair._files.Add(pair.ClientLog);
                pair._files.Add(pair.ServerLog);
                clientArgs = [.. clientArgs, "--access-log-file", pair.ClientLog.Path];
                serverArgs = [.. serverArgs, "--access-log-file", pair.ServerLog.Path];
            }

            await client.StartProxyAsync(clientArgs);
            await server.StartProxyAsync(serverArgs);
            return pair;
        }
        catch
        {
            await pair.DisposeAsync();
            throw;
        }
    }

    public static IReadOnlyDictionary<string, IPAddress> Hosts { get; } = new Dictionary<string, IPAddress> { ["reviews"] = ServiceIp };

    public HttpClient HttpClient(int maxConnections = int.MaxValue) => TestHttpClient.Create(Client.Namespace, Hosts, maxConnections: maxConnections);

    public async ValueTask DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        await Client.DisposeAsync();
        await Server.DisposeAsync();
        _files.ForEach(f => f.Dispose());
    }
}
