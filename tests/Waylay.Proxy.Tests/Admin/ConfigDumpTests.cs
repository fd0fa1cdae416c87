using System.Text.Json;
using Waylay.Proxy.Tests.Kernel;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Tests.Admin;

/// <summary>
/// <c>/config_dump</c>'s <c>configs</c> (what <c>waylay proxy-config</c> prints) from a real proxy reading files: the
/// routes as compiled, with matches, weights, timeouts, retries and faults; clusters per subset with the merged policy;
/// endpoints per cluster with their labels; listeners per service port with their protocol.
/// </summary>
public sealed class ConfigDumpTests
{
    private const string Mesh = """
        version: dump-v1
        services:
        - name: reviews
          namespace: shop
          addresses: [10.96.0.10]
          ports: [{name: http, port: 9080}, {name: tcp-admin, port: 7000}]
          endpoints:
          - address: 10.244.1.11
            labels: {app: reviews, version: v1}
          - address: 10.244.1.12
            labels: {app: reviews, version: v2}
        """;

    private const string Rules = """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews, namespace: shop}
        spec:
          hosts: [reviews]
          http:
          - name: jason
            match: [{headers: {end-user: {exact: jason}}, uri: {prefix: /reviews}}]
            route: [{destination: {host: reviews, subset: v2}}]
            timeout: 2s
            fault: {delay: {fixedDelay: 7s, percentage: {value: 50}}, abort: {httpStatus: 500, percentage: {value: 10}}}
          - route:
            - {destination: {host: reviews, subset: v1}, weight: 80}
            - {destination: {host: reviews, subset: v9}, weight: 20}
            retries: {attempts: 3, perTryTimeout: 1s, retryOn: "5xx,503"}
          tcp:
          - match: [{port: 7000}]
            route: [{destination: {host: reviews, subset: v1}}]
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews, namespace: shop}
        spec:
          host: reviews
          trafficPolicy:
            loadBalancer: {simple: LEAST_REQUEST}
            connectionPool: {tcp: {maxConnections: 10}, http: {http1MaxPendingRequests: 5}}
          subsets:
          - name: v1
            labels: {version: v1}
          - name: v2
            labels: {version: v2}
            trafficPolicy:
              loadBalancer: {simple: RANDOM}
              outlierDetection: {consecutive5xxErrors: 3, interval: 5s, baseEjectionTime: 1m}
        """;

    private const string Host = "reviews.shop.svc.cluster.local";

    [NetnsFact]
    public async Task Configs_ShowRoutesClustersEndpointsAndListeners_AsTheProxyHoldsThem()
    {
        using var mesh = new MeshFile(Mesh);
        using var rules = new MeshFile(Rules);
        await using var lab = await PodWithPeer.CreateAsync("--config", mesh.Path, "--rules", rules.Path);
        var dump = JsonDocument.Parse((await lab.Proxy.GetAsync("/config_dump")).Body).RootElement;
        Assert.Equal("dump-v1", dump.GetProperty("version").GetString());
        Assert.Equal(JsonValueKind.Null, dump.GetProperty("notReady").ValueKind);
        var configs = dump.GetProperty("configs");

        // Routes: the VirtualService's two http routes in order, their policies as a request gets them.
        var route = Single(configs.GetProperty("routes"), "name", $"{Host}:9080");
        Assert.Equal("reviews.shop", route.GetProperty("virtualService").GetString());
        var jason = route.GetProperty("http")[0];
        Assert.Equal("jason", jason.GetProperty("name").GetString());
        var match = Assert.Single(jason.GetProperty("match").EnumerateArray());
        Assert.Equal("/reviews", match.GetProperty("uri").GetProperty("prefix").GetString());
        Assert.Equal("jason", match.GetProperty("headers").GetProperty("end-user").GetProperty("exact").GetString());
        Assert.Equal("v2", Assert.Single(jason.GetProperty("route").EnumerateArray()).GetProperty("subset").GetString());
        Assert.Equal("2s", jason.GetProperty("timeout").GetString());
        Assert.Equal("7s", jason.GetProperty("fault").GetProperty("delay").GetProperty("fixedDelay").GetString());
        Assert.Equal(50, jason.GetProperty("fault").GetProperty("delay").GetProperty("percentage").GetDouble());
        Assert.Equal(500, jason.GetProperty("fault").GetProperty("abort").GetProperty("httpStatus").GetInt32());
        Assert.Equal(2, jason.GetProperty("retries").GetProperty("attempts").GetInt32()); // Istio's default, unless the route says

        var split = route.GetProperty("http")[1];
        Assert.Equal([80, 20], split.GetProperty("route").EnumerateArray().Select(d => d.GetProperty("weight").GetInt32()));
        Assert.Equal($"outbound|9080|v1|{Host}", split.GetProperty("route")[0].GetProperty("cluster").GetString());
        Assert.Contains("no DestinationRule defines subset 'v9'", split.GetProperty("route")[1].GetProperty("problem").GetString(), StringComparison.Ordinal);
        Assert.Equal(3, split.GetProperty("retries").GetProperty("attempts").GetInt32());
        Assert.Equal("1s", split.GetProperty("retries").GetProperty("perTryTimeout").GetString());
        Assert.Equal("5xx,retriable-status-codes", split.GetProperty("retries").GetProperty("retryOn").GetString());
        Assert.Equal([503], split.GetProperty("retries").GetProperty("retriableStatusCodes").EnumerateArray().Select(c => c.GetInt32()));
        var tcp = Assert.Single(Single(configs.GetProperty("routes"), "name", $"{Host}:7000").GetProperty("tcp").EnumerateArray());
        Assert.Equal("v1", tcp.GetProperty("route")[0].GetProperty("subset").GetString());

        // Clusters: the rule's policy, the subset's overriding it field by field (Istio's merge).
        var v1 = Single(configs.GetProperty("clusters"), "name", $"outbound|9080|v1|{Host}");
        Assert.Equal("LEAST_REQUEST", v1.GetProperty("loadBalancer").GetString());
        Assert.Equal(10, v1.GetProperty("connectionPool").GetProperty("maxConnections").GetInt32());
        Assert.Equal(5, v1.GetProperty("connectionPool").GetProperty("http1MaxPendingRequests").GetInt32());
        Assert.Equal(JsonValueKind.Null, v1.GetProperty("outlierDetection").ValueKind);
        Assert.Equal("v1", v1.GetProperty("subsetLabels").GetProperty("version").GetString());
        Assert.Equal(1, v1.GetProperty("endpoints").GetInt32());
        var v2 = Single(configs.GetProperty("clusters"), "name", $"outbound|9080|v2|{Host}");
        Assert.Equal("RANDOM", v2.GetProperty("loadBalancer").GetString());
        Assert.Equal(3, v2.GetProperty("outlierDetection").GetProperty("consecutive5xxErrors").GetInt32());
        Assert.Equal("1m0s", v2.GetProperty("outlierDetection").GetProperty("baseEjectionTime").GetString());
        Assert.Equal(2, Single(configs.GetProperty("clusters"), "name", $"outbound|9080||{Host}").GetProperty("endpoints").GetInt32());

        // Endpoints: each cluster's members, with health and labels.
        var member = Single(configs.GetProperty("endpoints"), "cluster", $"outbound|9080|v2|{Host}");
        Assert.Equal("10.244.1.12:9080", member.GetProperty("address").GetString());
        Assert.Equal("HEALTHY", member.GetProperty("health").GetString());
        Assert.Equal("OK", member.GetProperty("outlierCheck").GetString());
        Assert.Equal("v2", member.GetProperty("labels").GetProperty("version").GetString());

        // Listeners: the capture ports, then each service port with its protocol and where it goes.
        var listeners = configs.GetProperty("listeners").EnumerateArray().ToList();
        Assert.Contains(listeners, l => l.GetProperty("kind").GetString() == "capture" && l.GetProperty("name").GetString()!.EndsWith(":15001", StringComparison.Ordinal));
        Assert.Equal("HTTP", Single(configs.GetProperty("listeners"), "name", $"{Host}_9080").GetProperty("match").GetString());
        var admin = Single(configs.GetProperty("listeners"), "name", $"{Host}_7000");
        Assert.Equal("TCP", admin.GetProperty("match").GetString());
        Assert.Equal($"Cluster: outbound|7000|v1|{Host}", admin.GetProperty("destination").GetString());
    }

    private static JsonElement Single(JsonElement array, string property, string value) =>
        Assert.Single(array.EnumerateArray(), e => e.GetProperty(property).GetString() == value);
}
