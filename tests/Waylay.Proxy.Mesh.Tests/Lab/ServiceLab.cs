using System.Net;
using System.Text;
using Waylay.TestKit;

namespace Waylay.Proxy.Mesh.Tests.Lab;

/// <summary>
/// The client side of the mesh: a captured pod with its sidecar (the real <c>waylay proxy</c>, uid 1337, given
/// mesh.yaml and the Istio rules), and a peer namespace holding the service's versioned endpoints, each a Kestrel app
/// on its own address:
/// <code>
///   productpage pod 10.244.1.2 (capture + waylay proxy) ═veth═ peer: reviews v1 10.244.1.11:9080, v2 .12, v3 .13 …
///   app ─GET http://reviews:9080/ (10.96.0.10)─► :15001 sidecar ─► the endpoint its rules pick
/// </code>
/// </summary>
internal sealed class ServiceLab : IAsyncDisposable
{
    public const ushort Port = 9080;
    public static readonly IPAddress ServiceIp = IPAddress.Parse("10.96.0.10");
    public static readonly IReadOnlyDictionary<string, IPAddress> Hosts = new Dictionary<string, IPAddress>
    {
        ["reviews"] = ServiceIp,
        ["reviews.default.svc.cluster.local"] = ServiceIp,
    };

    private readonly List<IDisposable> _files = [];

    private ServiceLab(TestPod pod, TestPod peer)
    {
        Pod = pod;
        Peer = peer;
    }

    public TestPod Pod { get; }

    public TestPod Peer { get; }

    public TestProxy Proxy => Pod.Proxy!;

    public TestFile Mesh { get; private set; } = null!;

    public TestFile? Rules { get; private set; }

    public TestFile? AccessLog { get; private set; }

    /// <summary>The endpoints in order: v1 at 10.244.1.11, v2 at .12, …</summary>
    public IReadOnlyList<TestHttpServer> Endpoints { get; private set; } = [];

    public static IPAddress EndpointIp(int n) => IPAddress.Parse($"10.244.1.{10 + n}");

    public static Uri Url(string path) => new($"http://reviews:{Port}{path}");

    /// <summary>
    /// The reviews service on 10.96.0.10:9080 with one endpoint per version (endpoint n has version label <c>vn</c>),
    /// the client's sidecar started with <c>--config</c>, <c>--rules</c> when <paramref name="rules"/> is given, and an
    /// access log file when asked.
    /// </summary>
    public static async Task<ServiceLab> StartAsync(string? rules = null, int versions = 3, bool accessLog = false,
        string portDeclaration = "{name: http, port: 9080}", string? extraServices = null, params string[] proxyArguments)
    {
        var (pod, peer) = await TestPod.CreatePairAsync("10.244.1.2/24", "10.244.1.1/24");
        var lab = new ServiceLab(pod, peer);
        try
        {
            var servers = new List<TestHttpServer>();
            for (var n = 1; n <= versions; n++)
            {
                await peer.Namespace.AddAddressAsync("eth0", $"{EndpointIp(n)}/32");
                servers.Add(await TestHttpServer.StartAsync(peer.Namespace, new IPEndPoint(EndpointIp(n), Port), $"v{n}"));
            }

            lab.Endpoints = servers;
            lab.Mesh = lab.Keep(TestFile.Config("mesh", MeshYaml(versions, portDeclaration, extraServices)));
            var arguments = new List<string> { "--config", lab.Mesh.Path };
            if (rules is not null)
            {
                lab.Rules = lab.Keep(TestFile.Config("rules", rules));
                arguments.AddRange(["--rules", lab.Rules.Path]);
            }

            if (accessLog)
            {
                lab.AccessLog = lab.Keep(TestFile.Log("access"));
                arguments.AddRange(["--access-log-file", lab.AccessLog.Path]);
            }

            arguments.AddRange(proxyArguments);
            await pod.CaptureAsync(TestPod.StandardCapture);
            await pod.StartProxyAsync([.. arguments]);
            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    /// <summary>mesh.yaml: reviews.default with endpoints v1…vN, and the client pod as workload productpage-v1.</summary>
    public static string MeshYaml(int versions, string portDeclaration = "{name: http, port: 9080}", string? extraServices = null)
    {
        var yaml = new StringBuilder($"""
            version: lab
            services:
            - name: reviews
              namespace: default
              addresses: [10.96.0.10]
              ports:
              - {portDeclaration}
              endpoints:

            """);
        for (var n = 1; n <= versions; n++)
        {
            yaml.Append($"  - {{address: {EndpointIp(n)}, labels: {{app: reviews, version: v{n}}}}}\n");
        }

        yaml.Append(extraServices ?? "");
        yaml.Append("""
            workloads:
            - name: productpage-v1
              namespace: default
              addresses: [10.244.1.2]
              labels: {app: productpage, version: v1}

            """);
        return yaml.ToString();
    }

    public HttpClient Client(int maxConnections = int.MaxValue) => TestHttpClient.Create(Pod.Namespace, Hosts, maxConnections: maxConnections);

    /// <summary>How many requests each endpoint has served so far, by name.</summary>
    public Dictionary<string, int> ServedCounts() => Endpoints.ToDictionary(e => e.Name, e => e.Requests);

    public TestHttpServer Endpoint(string version) => Endpoints.Single(e => e.Name == version);

    public async ValueTask DisposeAsync()
    {
        foreach (var server in Endpoints)
        {
            await server.DisposeAsync();
        }

        await Pod.DisposeAsync();
        await Peer.DisposeAsync();
        _files.ForEach(f => f.Dispose());
    }

    private TestFile Keep(TestFile file)
    {
        _files.Add(file);
        return file;
    }
}
