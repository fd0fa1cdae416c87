using Waylay.Mesh.Networking;
using Waylay.Proxy.Routing;
using Xunit;

namespace Waylay.Proxy.Http.Tests.Routing;

public sealed class RouteEngineTests
{
    private const string Reviews = "reviews.default.svc.cluster.local";

    private const string Bookinfo = """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews}
        spec:
          host: reviews
          trafficPolicy:
            loadBalancer: {simple: LEAST_REQUEST}
            connectionPool:
              tcp: {maxConnections: 100}
              http: {http1MaxPendingRequests: 10, maxRequestsPerConnection: 50, idleTimeout: 30s}
            outlierDetection: {consecutive5xxErrors: 3, interval: 1s, baseEjectionTime: 15s, maxEjectionPercent: 100}
            portLevelSettings:
            - port: {number: 9443}
              loadBalancer: {simple: RANDOM}
          subsets:
          - name: v1
            labels: {version: v1}
          - name: v2
            labels: {version: v2}
            trafficPolicy:
              loadBalancer: {simple: ROUND_ROBIN}
          - name: v3
            labels: {version: v3}
        ---
        apiVersion: networking.istio.io/v1beta1
        kind: VirtualService
        metadata: {name: reviews}
        spec:
          hosts: [reviews]
          http:
          - name: jason
            match:
            - headers:
                end-user: {exact: jason}
            route:
            - destination: {host: reviews, subset: v2}
              headers:
                request:
                  set: {x-version: v2}
            timeout: 2s
            retries: {attempts: 3, perTryTimeout: 500ms, retryOn: "5xx,connect-failure"}
          - name: api
            match:
            - uri: {prefix: /api/}
              method: {exact: POST}
            - uri: {regex: "/ratings/[0-9]+"}
            rewrite: {uri: /v2/}
            route:
            - destination: {host: reviews, subset: v3}
            headers:
              request:
                set: {x-version: route}
                remove: [x-debug]
              response:
                add: {x-served-by: waylay}
            fault:
              abort: {httpStatus: 503, percentage: {value: 100}}
          - name: split
            route:
            - destination: {host: reviews, subset: v1}
              weight: 50
            - destination: {host: reviews, subset: v2}
              weight: 30
            - destination: {host: reviews, subset: v3}
              weight: 20
        """;

    private sealed class Headers(params (string Name, string Value)[] values) : IRequestHeaders
    {
        public string? Get(string lowerCaseName) => values.FirstOrDefault(v => v.Name == lowerCaseName).Value;
    }

    private static HostRoutes Routes(string yaml = Bookinfo) => HttpRouteTable.Build(NetworkingReader.Read(yaml)).ForHost(Reviews);

    private static RouteSelection Select(HostRoutes routes, string method, string path, params (string, string)[] headers) =>
        routes.Select(new RouteRequest(method, path, 9080, new Headers(headers)), new Random(7));

    [Fact]
    public void HeaderMatch_AlwaysWins_ForJason()
    {
        var routes = Routes();
        for (var i = 0; i < 200; i++)
        {
            var selection = routes.Select(new RouteRequest("GET", "/reviews/0", 9080, new Headers(("end-user", "jason"))), new Random(i));
            Assert.Equal("jason", selection.Route!.Name);
            Assert.Equal("v2", selection.Target!.Destination.Subset);
        }
    }

    [Fact]
    public void JasonRoute_CarriesItsTimeoutRetriesAndPolicies()
    {
        var selection = Select(Routes(), "GET", "/", ("end-user", "jason"));
        Assert.Equal(RouteOutcome.Routed, selection.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(2), selection.Timeout);
        Assert.Equal(3, selection.Retries.Attempts);
        Assert.Equal(TimeSpan.FromMilliseconds(500), selection.Retries.PerTryTimeout);
        Assert.True(selection.Retries.RetriesStatus(500));
        Assert.False(selection.Retries.RetriesStatus(404));
        Assert.True(selection.Retries.RetriesFailure(UpstreamFailure.ConnectFailure));

        // subset v2 overrides the load balancer, keeps the rule's pool and outlier detection
        Assert.Equal(LoadBalancerKind.RoundRobin, selection.Policy.LoadBalancer);
        Assert.Equal(100, selection.Policy.ConnectionPool.MaxConnections);
        Assert.Equal(TimeSpan.FromSeconds(30), selection.Policy.ConnectionPool.IdleTimeout);
        Assert.Equal(3, selection.Policy.OutlierDetection!.Consecutive5xxErrors);
        Assert.Equal([new HeaderEdit(HeaderEditKind.Set, "x-version", "v2")], selection.Target!.RequestEdits.Edits);
    }

    [Fact]
    public void NotJason_FallsThroughToTheSplit()
    {
        var selection = Select(Routes(), "GET", "/", ("end-user", "mary"));
        Assert.Equal("split", selection.Route!.Name);
        Assert.Equal(HttpRetry.IstioDefault, selection.Retries);
        Assert.Null(selection.Timeout);
    }

    [Fact]
    public void WeightedSplit_LandsWithinFivePercent_Over2000Requests()
    {
        var routes = Routes();
        var random = new Random(2026);
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < 2000; i++)
        {
            var subset = routes.Select(new RouteRequest("GET", "/", 9080, new Headers()), random).Target!.Destination.Subset!;
            counts[subset] = counts.GetValueOrDefault(subset) + 1;
        }

        Assert.InRange(counts["v1"], 900, 1100);
        Assert.InRange(counts["v2"], 500, 700);
        Assert.InRange(counts["v3"], 300, 500);
    }

    [Theory]
    [InlineData("POST", "/api/x", true)]
    [InlineData("GET", "/api/x", false)]
    [InlineData("GET", "/ratings/42", true)]
    [InlineData("GET", "/ratings/42?full=1", true)]
    [InlineData("GET", "/ratings/42x", false)]
    [InlineData("GET", "/x/ratings/42", false)]
    public void MatchBlocks_AreAlternatives_AndConditionsInOneAreAll(string method, string path, bool api) =>
        Assert.Equal(api ? "api" : "split", Select(Routes(), method, path).Route!.Name);

    [Theory]
    [InlineData("POST", "/api/items?q=1", "/v2/items?q=1")]
    [InlineData("GET", "/ratings/42?full=1", "/v2/?full=1")]
    public void RewriteUri_ReplacesThePrefix_OrTheWholePath(string method, string path, string rewritten) =>
        Assert.Equal(rewritten, Select(Routes(), method, path).RewritePath(path));

    [Fact]
    public void RewriteWithoutUriMatch_ReplacesTheSlashPrefix_AsIstioDoes()
    {
        var routes = Routes("""
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: r}
            spec:
              hosts: [reviews]
              http:
              - rewrite: {uri: /v2}
                route: [{destination: {host: reviews}}]
            """);
        Assert.Equal("/v2a?b", Select(routes, "GET", "/a?b").RewritePath("/a?b"));
    }

    [Fact]
    public void FaultAndHeaderEdits_AreDecidedPerRoute()
    {
        var selection = Select(Routes(), "POST", "/api/x");
        Assert.Equal(new FaultDecision(null, 503), selection.DecideFault(new Random(1)));
        Assert.Equal(
            [new HeaderEdit(HeaderEditKind.Remove, "x-debug", ""), new HeaderEdit(HeaderEditKind.Set, "x-version", "route")],
            selection.Target!.RequestEdits.Edits);
        var response = new List<KeyValuePair<string, string>> { new("content-type", "text/plain") };
        selection.Target.ResponseEdits.Apply(response);
        Assert.Equal([new("content-type", "text/plain"), new("x-served-by", "waylay")], response);
    }

    [Fact]
    public void FaultPercentage_IsAppliedToThatShareOfRequests()
    {
        var routes = Routes("""
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: r}
            spec:
              hosts: [reviews]
              http:
              - fault:
                  delay: {fixedDelay: 1.5s, percentage: {value: 25}}
                  abort: {httpStatus: 500, percentage: {value: 10}}
                route: [{destination: {host: reviews}}]
            """);
        var selection = Select(routes, "GET", "/");
        var random = new Random(99);
        int delays = 0, aborts = 0;
        for (var i = 0; i < 4000; i++)
        {
            var fault = selection.DecideFault(random);
            delays += fault.Delay == TimeSpan.FromMilliseconds(1500) ? 1 : 0;
            aborts += fault.AbortStatus == 500 ? 1 : 0;
        }

        Assert.InRange(delays, 900, 1100);
        Assert.InRange(aborts, 320, 480);
    }

    [Fact]
    public void HeaderEdits_RouteLevelSetWinsOverDestinationLevel()
    {
        var edits = HeaderEdits.Flatten(
            new HeaderMutation([new("x-a", "destination")], [], []),
            new HeaderMutation([new("x-a", "route")], [new("x-b", "1")], []));
        var headers = new List<KeyValuePair<string, string>> { new("X-A", "client"), new("x-b", "0") };
        edits.Apply(headers);
        Assert.Equal([new("x-a", "route"), new("x-b", "0"), new("x-b", "1")], headers);
    }

    [Fact]
    public void NoMatchingRoute_Is404NR()
    {
        var routes = Routes("""
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: r}
            spec:
              hosts: [reviews]
              http:
              - match: [{uri: {exact: /only}}]
                route: [{destination: {host: reviews}}]
            """);
        var selection = Select(routes, "GET", "/other");
        Assert.Equal(RouteOutcome.NoRoute, selection.Outcome);
        Assert.Equal(404, selection.StatusCode);
        Assert.Equal("NR", selection.ResponseFlag);
        Assert.Equal(RouteOutcome.Routed, Select(routes, "GET", "/only?x=1").Outcome);
    }

    [Fact]
    public void MissingSubset_Is503NC()
    {
        var routes = Routes("""
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: r}
            spec:
              hosts: [reviews]
              http:
              - route: [{destination: {host: reviews, subset: v9}}]
            """);
        var selection = Select(routes, "GET", "/");
        Assert.Equal(RouteOutcome.NoCluster, selection.Outcome);
        Assert.Equal(503, selection.StatusCode);
    }

    [Fact]
    public void HostWithoutVirtualService_GetsTheImplicitRoute()
    {
        var table = HttpRouteTable.Build(NetworkingReader.Read(Bookinfo));
        var ratings = table.ForHost("ratings.default.svc.cluster.local");
        Assert.Null(ratings.Source);
        var selection = ratings.Select(new RouteRequest("GET", "/anything", 9080, new Headers()), new Random(1));
        Assert.Equal(RouteOutcome.Routed, selection.Outcome);
        Assert.Equal("ratings.default.svc.cluster.local", selection.Target!.Destination.Host);
        Assert.Null(selection.Target.Destination.Subset);
        Assert.Equal(HttpRetry.IstioDefault, selection.Retries);
        Assert.Equal(ClusterPolicy.Default, selection.Policy);
    }

    [Fact]
    public void ImplicitRoute_IsCompiledOncePerHost()
    {
        var table = HttpRouteTable.Build(NetworkingConfig.Empty);
        Assert.Same(table.ForHost("ratings.default.svc.cluster.local"), table.ForHost("ratings.default.svc.cluster.local"));
    }

    [Fact]
    public void ImplicitRoute_StillUsesTheHostsDestinationRule()
    {
        var table = HttpRouteTable.Build(NetworkingReader.Read("""
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: all}
            spec:
              host: "*.default.svc.cluster.local"
              trafficPolicy: {loadBalancer: {simple: RANDOM}}
            """));
        var selection = table.ForHost(Reviews).Select(new RouteRequest("GET", "/", 9080, new Headers()), new Random(1));
        Assert.Equal(LoadBalancerKind.Random, selection.Policy.LoadBalancer);
    }

    [Fact]
    public void PortLevelSettings_ApplyOnTheirPortOnly()
    {
        var routes = Routes();
        var onTls = routes.Select(new RouteRequest("GET", "/", 9443, new Headers()), new Random(3));
        Assert.Equal(LoadBalancerKind.Random, onTls.Target!.PolicyFor(9443).LoadBalancer);
        Assert.Equal(LoadBalancerKind.LeastRequest, routes.Routes[2].Targets[0].PolicyFor(9080).LoadBalancer);

        // port-level settings do not inherit: the pool is back to unlimited on 9443 for v1
        Assert.Equal(ConnectionPoolSettings.Unlimited, routes.Routes[2].Targets[0].PolicyFor(9443).ConnectionPool);
    }

    [Fact]
    public void MatchOnPort_SelectsByTheServicePort()
    {
        var routes = Routes("""
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: r}
            spec:
              hosts: [reviews]
              http:
              - match: [{port: 9080}]
                route: [{destination: {host: reviews, port: {number: 8080}}}]
              - route: [{destination: {host: reviews}}]
            """);
        var on9080 = routes.Select(new RouteRequest("GET", "/", 9080, new Headers()), new Random(1));
        Assert.Equal((ushort)8080, on9080.DestinationPort);
        var on9090 = routes.Select(new RouteRequest("GET", "/", 9090, new Headers()), new Random(1));
        Assert.Equal((ushort)9090, on9090.DestinationPort);
        Assert.Equal("outbound|8080||reviews.default.svc.cluster.local", on9080.Target!.ClusterName(on9080.DestinationPort));
    }

    [Fact]
    public void HeaderPresenceAndRegex_Match()
    {
        var routes = Routes("""
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: r}
            spec:
              hosts: [reviews]
              http:
              - match: [{headers: {x-canary: {}}}]
                route: [{destination: {host: reviews, subset: canary}}]
              - match: [{headers: {user-agent: {regex: ".*Mobile.*"}}}]
                route: [{destination: {host: reviews, subset: mobile}}]
              - route: [{destination: {host: reviews}}]
            """);
        Assert.Equal("canary", Select(routes, "GET", "/", ("x-canary", "")).Target!.Destination.Subset);
        Assert.Equal("mobile", Select(routes, "GET", "/", ("user-agent", "Mozilla (Mobile) x")).Target!.Destination.Subset);
        Assert.Null(Select(routes, "GET", "/", ("user-agent", "curl")).Target!.Destination.Subset);
        Assert.Equal(["user-agent", "x-canary"], routes.RequiredHeaders.Order());
    }

    [Fact]
    public void TcpRoutes_GoByPort()
    {
        var table = HttpRouteTable.Build(NetworkingReader.Read("""
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: db}
            spec:
              hosts: [mysql]
              tcp:
              - match: [{port: 3306}]
                route:
                - {destination: {host: mysql, subset: primary}, weight: 100}
            """));
        var routes = table.ForHost("mysql.default.svc.cluster.local");
        Assert.Equal("primary", routes.SelectTcp(3306, new Random(1))!.Destination.Subset);
        Assert.Null(routes.SelectTcp(3307, new Random(1)));
    }

    [Fact]
    public void WildcardVirtualService_CoversItsSuffix_ExactWins()
    {
        var table = HttpRouteTable.Build(NetworkingReader.Read("""
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: wild}
            spec:
              hosts: ["*.default.svc.cluster.local"]
              http: [{route: [{destination: {host: fallback}}]}]
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: reviews}
            spec:
              hosts: [reviews]
              http: [{route: [{destination: {host: reviews}}]}]
            """));
        Assert.Equal("reviews.default", table.ForHost(Reviews).Source!.Key);
        Assert.Equal("wild.default", table.ForHost("ratings.default.svc.cluster.local").Source!.Key);
        Assert.Null(table.ForHost("ratings.other.svc.cluster.local").Source);
    }
}
