using Waylay.Mesh.Networking;
using Xunit;

namespace Waylay.Mesh.Tests.Networking;

public sealed class NetworkingReaderTests
{
    private static IReadOnlyList<NetworkingError> Errors(string yaml)
    {
        var (config, errors) = NetworkingReader.TryRead(yaml);
        Assert.Null(config);
        Assert.NotEmpty(errors);
        return errors;
    }

    private static string VirtualService(string http, string name = "reviews", string apiVersion = "v1") => $"""
        apiVersion: networking.istio.io/{apiVersion}
        kind: VirtualService
        metadata: {"{"}name: {name}{"}"}
        spec:
          hosts: [reviews]
          http:
        {http}
        """;

    [Theory]
    [InlineData("v1")]
    [InlineData("v1beta1")]
    [InlineData("v1alpha3")]
    public void BookinfoReviewsRules_ReadInEveryApiVersion(string version)
    {
        var config = NetworkingReader.Read($"""
            apiVersion: networking.istio.io/{version}
            kind: VirtualService
            metadata:
              name: reviews
              namespace: bookinfo
              labels: {"{"}app: reviews{"}"}
            spec:
              hosts:
              - reviews
              http:
              - match:
                - headers:
                    end-user:
                      exact: jason
                route:
                - destination:
                    host: reviews
                    subset: v2
              - route:
                - destination:
                    host: reviews
                    subset: v1
                  weight: 75
                - destination:
                    host: reviews
                    subset: v3
                  weight: 25
                timeout: 1.5s
                retries:
                  attempts: 3
                  perTryTimeout: 300ms
                  retryOn: gateway-error,connect-failure,503
            ---
            apiVersion: networking.istio.io/{version}
            kind: DestinationRule
            metadata:
              name: reviews
              namespace: bookinfo
            spec:
              host: reviews
              subsets:
              - name: v1
                labels:
                  version: v1
              - name: v2
                labels:
                  version: v2
              - name: v3
                labels:
                  version: v3
            """);

        var service = Assert.Single(config.VirtualServices);
        Assert.Equal("reviews.bookinfo", service.Key);
        Assert.Equal(["reviews.bookinfo.svc.cluster.local"], service.Hosts);
        var jason = service.Http[0];
        var header = Assert.Single(Assert.Single(jason.Match).Headers);
        Assert.Equal(new HeaderMatch("end-user", new StringMatch(StringMatchKind.Exact, "jason")), header);
        Assert.Equal(new Destination("reviews.bookinfo.svc.cluster.local", "v2", null), Assert.Single(jason.Route).Destination);
        var split = service.Http[1];
        Assert.Equal([75, 25], split.Route.Select(r => r.Weight));
        Assert.Equal(TimeSpan.FromMilliseconds(1500), split.Timeout);
        Assert.Equal(3, split.Retries!.Attempts);
        Assert.Equal(TimeSpan.FromMilliseconds(300), split.Retries.PerTryTimeout);
        Assert.Equal(RetryOn.GatewayError | RetryOn.ConnectFailure | RetryOn.RetriableStatusCodes, split.Retries.On);
        Assert.Equal([503], split.Retries.StatusCodes);

        var rule = Assert.Single(config.DestinationRules);
        Assert.Equal("reviews.bookinfo.svc.cluster.local", rule.Host);
        Assert.Equal(["v1", "v2", "v3"], rule.Subsets.Select(s => s.Name));
        Assert.True(rule.FindSubset("v2")!.Selects(new Dictionary<string, string> { ["app"] = "reviews", ["version"] = "v2" }));
        Assert.False(rule.FindSubset("v2")!.Selects(new Dictionary<string, string> { ["version"] = "v1" }));
    }

    [Fact]
    public void Json_AndKubernetesLists_AreRead()
    {
        var config = NetworkingReader.Read("""
            {"apiVersion": "v1", "kind": "List", "items": [
              {"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule", "metadata": {"name": "ratings"},
               "spec": {"host": "ratings", "trafficPolicy": {"loadBalancer": {"simple": "RANDOM"}}}}
            ]}
            """);
        Assert.Equal(LoadBalancerKind.Random, Assert.Single(config.DestinationRules).TrafficPolicy!.LoadBalancer);
    }

    [Fact]
    public void OtherApiGroups_AreSkipped_SoWholeBundlesCanBeRead()
    {
        var config = NetworkingReader.Read("""
            apiVersion: v1
            kind: Service
            metadata: {name: reviews}
            spec: {ports: [{port: 9080}]}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: reviews-v1}
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: reviews}
            spec: {host: reviews}
            """);
        Assert.Single(config.DestinationRules);
        Assert.Empty(config.VirtualServices);
    }

    [Fact]
    public void UnsupportedField_IsRejected_NamingItsPath()
    {
        var error = Assert.Single(Errors(VirtualService("""
              - route: [{destination: {host: reviews}}]
                mirror: {host: reviews, subset: v2}
            """)));
        Assert.StartsWith("VirtualService reviews: spec.http[0].mirror is not supported by Waylay", error.ToString());
        Assert.Equal(8, error.Line);
    }

    [Fact]
    public void EveryError_IsReportedAtOnce()
    {
        var errors = Errors(VirtualService("""
              - route:
                - {destination: {host: reviews, subset: v1}, weight: 60}
                - {destination: {host: reviews, subset: v2}, weight: 30}
                corsPolicy: {allowOrigins: [{exact: "*"}]}
                timeout: soon
              - match: [{uri: {regex: "(unclosed"}}]
                redirect: {uri: /elsewhere}
                route: [{destination: {host: reviews}}]
            """));
        var text = errors.Select(e => e.ToString()).ToList();
        Assert.Contains(text, t => t.StartsWith("VirtualService reviews: spec.http[0].route weights must add up to 100", StringComparison.Ordinal));
        Assert.Contains(text, t => t.StartsWith("VirtualService reviews: spec.http[0].corsPolicy is not supported by Waylay", StringComparison.Ordinal));
        Assert.Contains(text, t => t.StartsWith("VirtualService reviews: spec.http[0].timeout 'soon'", StringComparison.Ordinal));
        Assert.Contains(text, t => t.StartsWith("VirtualService reviews: spec.http[1].match[0].uri.regex '(unclosed' is not a valid regular expression", StringComparison.Ordinal));
        Assert.Contains(text, t => t.StartsWith("VirtualService reviews: spec.http[1].redirect is not supported by Waylay", StringComparison.Ordinal));
        Assert.Equal(5, errors.Count);
    }

    [Theory]
    [InlineData("kind: Sidecar", "kind 'Sidecar' is not supported by Waylay")]
    [InlineData("kind: ServiceEntry", "kind 'ServiceEntry' is not supported by Waylay")]
    public void OtherNetworkingKinds_AreRejected(string kind, string message)
    {
        var error = Assert.Single(Errors($"""
            apiVersion: networking.istio.io/v1
            {kind}
            metadata: {"{"}name: gw{"}"}
            spec: {"{"}{"}"}
            """));
        Assert.Contains(message, error.ToString());
    }

    [Theory]
    [InlineData("networking.istio.io/v2")]
    [InlineData("networking.istio.io/v1alpha2")]
    public void UnknownApiVersion_IsRejected(string apiVersion) =>
        Assert.Contains("is not supported by Waylay", Assert.Single(Errors($"apiVersion: {apiVersion}\nkind: VirtualService\nmetadata: {{name: r}}\nspec: {{hosts: [r]}}\n")).ToString());

    [Fact]
    public void RoutingKindsWithoutTheirApiGroup_AreRejected_NotSkipped()
    {
        var error = Assert.Single(Errors("kind: VirtualService\nmetadata: {name: r}\nspec: {hosts: [r]}\n"));
        Assert.Equal("document 1: apiVersion '' is not the API group of a VirtualService: use networking.istio.io/v1 (line 1)", error.ToString());
    }

    [Theory]
    [InlineData("gateways: [a/b/c]", "spec.gateways[0]")]
    [InlineData("exportTo: [\"shop/x\"]", "spec.exportTo[0]")]
    [InlineData("exportTo: [\"Shop\"]", "spec.exportTo[0]")]
    public void MalformedGatewayNamesAndExportTo_AreRejected(string field, string path)
    {
        var error = Assert.Single(Errors($"""
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {"{"}name: r{"}"}
            spec:
              hosts: [reviews]
              {field}
              http: [{"{"}route: [{"{"}destination: {"{"}host: reviews{"}"}{"}"}]{"}"}]
            """));
        Assert.Equal(path, error.Path);
    }

    [Fact]
    public void MeshGatewayAndExportToAll_AreAccepted()
    {
        var config = NetworkingReader.Read("""
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: r}
            spec:
              hosts: [reviews]
              gateways: [mesh]
              exportTo: ["*"]
              http: [{route: [{destination: {host: reviews}}]}]
            """);
        Assert.Single(config.VirtualServices);
    }

    [Fact]
    public void ExportTo_KeepsIstiosForms_ForTheControlPlaneToScope()
    {
        var config = NetworkingReader.Read("""
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: r, namespace: shop}
            spec:
              host: reviews
              exportTo: [".", "pay", "~"]
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: r, namespace: pay}
            spec:
              host: reviews.shop.svc.cluster.local
            """);
        Assert.Equal([".", "pay", "~"], config.DestinationRules[0].ExportTo);
        Assert.Empty(config.DestinationRules[1].ExportTo);
        // One host, two namespaces: not a clash (each proxy gets one of them, by Istio's precedence).
        Assert.Empty(NetworkingValidator.Validate(config));
        Assert.True(ExportTo.Visible(config.DestinationRules[0].ExportTo, "shop", "shop"));
        Assert.True(ExportTo.Visible(config.DestinationRules[0].ExportTo, "shop", "pay"));
        Assert.False(ExportTo.Visible(config.DestinationRules[0].ExportTo, "shop", "other"));
        Assert.True(ExportTo.Visible([], "shop", "other"));
    }

    [Theory]
    [InlineData("reviews", "default", "reviews.default.svc.cluster.local")]
    [InlineData("reviews", "bookinfo", "reviews.bookinfo.svc.cluster.local")]
    [InlineData("reviews.bookinfo", "default", "reviews.bookinfo")] // Istio: a dot means "already qualified"
    [InlineData("Reviews.Bookinfo.svc.cluster.local", "x", "reviews.bookinfo.svc.cluster.local")]
    [InlineData("*.bookinfo.svc.cluster.local", "x", "*.bookinfo.svc.cluster.local")]
    public void ShortHostNames_ResolveInTheResourcesNamespace(string host, string ns, string expected) =>
        Assert.Equal(expected, HostName.Resolve(host, ns));

    [Fact]
    public void DestinationHost_ResolvesInTheVirtualServicesNamespace()
    {
        var config = NetworkingReader.Read("""
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: r, namespace: shop}
            spec:
              hosts: [cart]
              http: [{route: [{destination: {host: cart-v2, port: {number: 8080}}}]}]
            """);
        var destination = config.VirtualServices[0].Http[0].Route[0].Destination;
        Assert.Equal(new Destination("cart-v2.shop.svc.cluster.local", null, 8080), destination);
    }

    [Theory]
    [InlineData("hosts: []", "spec.hosts", "must name at least one host")]
    [InlineData("hosts: [\"*\"]", "spec.hosts[0]", "'*' is not allowed")]
    [InlineData("hosts: [\"bad_host!\"]", "spec.hosts[0]", "is not a valid host")]
    public void Hosts_AreValidatedAsIstioDoes(string hosts, string path, string message)
    {
        var errors = Errors($"""
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {"{"}name: r{"}"}
            spec:
              {hosts}
              http: [{"{"}route: [{"{"}destination: {"{"}host: reviews{"}"}{"}"}]{"}"}]
            """);
        Assert.Contains(errors, e => e.Path == path && e.Message.Contains(message, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("- route: [{destination: {host: reviews}, weight: 150}]", "spec.http[0].route[0].weight")]
    [InlineData("- route: []", "spec.http[0].route")]
    [InlineData("- route: [{weight: 100}]", "spec.http[0].route[0].destination")]
    [InlineData("- route: [{destination: {subset: v1}}]", "spec.http[0].route[0].destination.host")]
    [InlineData("- {route: [{destination: {host: reviews}}], retries: {attempts: 2, perTryTimeout: 100us}}", "spec.http[0].retries.perTryTimeout")]
    [InlineData("- {route: [{destination: {host: reviews}}], retries: {attempts: -1}}", "spec.http[0].retries.attempts")]
    [InlineData("- {route: [{destination: {host: reviews}}], retries: {attempts: 2, retryOn: retriable-4xx}}", "spec.http[0].retries.retryOn")]
    [InlineData("- {route: [{destination: {host: reviews}}], retries: {attempts: 2, retryOn: sometimes}}", "spec.http[0].retries.retryOn")]
    [InlineData("- {route: [{destination: {host: reviews}}], fault: {abort: {httpStatus: 700, percentage: {value: 10}}}}", "spec.http[0].fault.abort.httpStatus")]
    [InlineData("- {route: [{destination: {host: reviews}}], fault: {abort: {grpcStatus: UNAVAILABLE}}}", "spec.http[0].fault.abort.grpcStatus")]
    [InlineData("- {route: [{destination: {host: reviews}}], fault: {delay: {fixedDelay: 1s, percentage: {value: 101}}}}", "spec.http[0].fault.delay.percentage.value")]
    [InlineData("- {route: [{destination: {host: reviews}}], fault: {}}", "spec.http[0].fault")]
    [InlineData("- {route: [{destination: {host: reviews}}], headers: {request: {set: {content-length: \"0\"}}}}", "spec.http[0].headers.request.set.content-length")]
    [InlineData("- {route: [{destination: {host: reviews}}], rewrite: {authority: x}}", "spec.http[0].rewrite.authority")]
    [InlineData("- {match: [{uri: {exact: /a, prefix: /b}}], route: [{destination: {host: reviews}}]}", "spec.http[0].match[0].uri")]
    [InlineData("- {match: [{uri: {}}], route: [{destination: {host: reviews}}]}", "spec.http[0].match[0].uri")]
    [InlineData("- {match: [{sourceLabels: {app: x}}], route: [{destination: {host: reviews}}]}", "spec.http[0].match[0].sourceLabels")]
    [InlineData("- {match: [{port: 70000}], route: [{destination: {host: reviews}}]}", "spec.http[0].match[0].port")]
    [InlineData("- {match: [{headers: {\"bad header\": {exact: x}}}], route: [{destination: {host: reviews}}]}", "spec.http[0].match[0].headers.bad header")]
    [InlineData("- {route: [{destination: {host: reviews, port: {number: 0}}}]}", "spec.http[0].route[0].destination.port.number")]
    public void HttpRouteMistakes_NameTheirField(string http, string path) =>
        Assert.Contains(Errors(VirtualService("  " + http)), e => e.Path == path);

    [Fact]
    public void FaultsAndHeaders_AreTyped()
    {
        var route = NetworkingReader.Read(VirtualService("""
              - route: [{destination: {host: reviews}}]
                fault:
                  delay: {fixedDelay: 7s, percent: 50}
                  abort: {httpStatus: 418, percentage: {value: 0.5}}
                headers:
                  request: {set: {X-Env: prod}, add: {x-trace: "1"}, remove: [X-Debug]}
            """)).VirtualServices[0].Http[0];
        Assert.Equal(new FaultDelay(TimeSpan.FromSeconds(7), 50), route.Fault!.Delay);
        Assert.Equal(new FaultAbort(418, 0.5), route.Fault.Abort);
        Assert.Equal([new("x-env", "prod")], route.Headers.Request.Set);
        Assert.Equal([new("x-trace", "1")], route.Headers.Request.Add);
        Assert.Equal(["x-debug"], route.Headers.Request.Remove);
    }

    [Fact]
    public void EmptyRetryOn_GetsIstiosDefaultConditions()
    {
        var retries = NetworkingReader.Read(VirtualService("  - {route: [{destination: {host: reviews}}], retries: {attempts: 4}}")).VirtualServices[0].Http[0].Retries!;
        Assert.Equal(4, retries.Attempts);
        Assert.Equal(HttpRetry.IstioDefault.On, retries.On);
        Assert.True(retries.RetriesStatus(503));
        Assert.False(retries.RetriesStatus(500));
    }

    [Fact]
    public void GrpcRetryOn_IsReadAlongsideHttpConditions_AndJudgesOnlyItsStatuses()
    {
        var retries = NetworkingReader.Read(VirtualService(
            "  - {route: [{destination: {host: reviews}}], retries: {attempts: 3, retryOn: \"unavailable, deadline-exceeded,internal,resource-exhausted,cancelled,gateway-error\"}}"))
            .VirtualServices[0].Http[0].Retries!;
        Assert.Equal(RetryOn.Unavailable | RetryOn.DeadlineExceeded | RetryOn.Internal | RetryOn.ResourceExhausted | RetryOn.Cancelled | RetryOn.GatewayError, retries.On);
        Assert.All(new[] { 1, 4, 8, 13, 14 }, status => Assert.True(retries.RetriesGrpcStatus(status)));
        Assert.All(new[] { 0, 2, 3, 5, 9, 12, 16 }, status => Assert.False(retries.RetriesGrpcStatus(status)));

        var unavailableOnly = NetworkingReader.Read(VirtualService("  - {route: [{destination: {host: reviews}}], retries: {attempts: 1, retryOn: unavailable}}"))
            .VirtualServices[0].Http[0].Retries!;
        Assert.True(unavailableOnly.RetriesGrpcStatus(14));
        Assert.False(unavailableOnly.RetriesGrpcStatus(4));
        Assert.False(unavailableOnly.RetriesStatus(503)); // a gRPC condition says nothing of HTTP statuses
    }

    [Fact]
    public void IstioDefaultRetries_IncludeItsGrpcConditions_UnavailableAndCancelled()
    {
        Assert.True(HttpRetry.IstioDefault.RetriesGrpcStatus(14));
        Assert.True(HttpRetry.IstioDefault.RetriesGrpcStatus(1));
        Assert.False(HttpRetry.IstioDefault.RetriesGrpcStatus(4));
        Assert.False(HttpRetry.IstioDefault.RetriesGrpcStatus(13));
    }

    [Theory]
    [InlineData("1.5s", 1500)]
    [InlineData("300ms", 300)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("0.1s", 100)]
    [InlineData("1.500s", 1500)] // protobuf JSON's form
    [InlineData("2000us", 2)]
    public void Durations_AreGos_InWholeMilliseconds(string timeout, long milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), NetworkingReader.Read(VirtualService($"  - {{route: [{{destination: {{host: reviews}}}}], timeout: {timeout}}}")).VirtualServices[0].Http[0].Timeout);

    [Theory]
    [InlineData("10", "has no unit")]
    [InlineData("1.0001s", "finer than a millisecond")]
    [InlineData("100us", "must be at least 1ms")]
    [InlineData("-1s", "must be at least 1ms")]
    [InlineData("1d", "unknown unit 'd'")]
    [InlineData("99999999999999h", "is too long")]
    public void Durations_IstioRefuses_AreRefused_NamingTheField(string timeout, string message) =>
        Assert.Contains(Errors(VirtualService($"  - {{route: [{{destination: {{host: reviews}}}}], timeout: \"{timeout}\"}}")), e => e.Path == "spec.http[0].timeout" && e.Message.Contains(message, StringComparison.Ordinal));

    [Fact]
    public void TimeoutZero_MeansNoTimeout() =>
        Assert.Null(NetworkingReader.Read(VirtualService("  - {route: [{destination: {host: reviews}}], timeout: 0s}")).VirtualServices[0].Http[0].Timeout);

    [Fact]
    public void DestinationRule_TrafficPolicy_IsFullyTyped()
    {
        var rule = NetworkingReader.Read("""
            apiVersion: networking.istio.io/v1beta1
            kind: DestinationRule
            metadata: {name: reviews}
            spec:
              host: reviews
              trafficPolicy:
                loadBalancer: {simple: LEAST_CONN}
                connectionPool:
                  tcp: {maxConnections: 100}
                  http: {http1MaxPendingRequests: 0, http2MaxRequests: 250, maxRequestsPerConnection: 1, idleTimeout: 1m}
                outlierDetection:
                  consecutive5xxErrors: 7
                  interval: 5s
                  baseEjectionTime: 15m
                tls: {mode: DISABLE}
                portLevelSettings:
                - port: {number: 9080}
                  connectionPool: {tcp: {maxConnections: 5}}
              subsets:
              - name: v1
                labels: {version: v1}
                trafficPolicy:
                  outlierDetection: {consecutiveGatewayErrors: 2, maxEjectionPercent: 50}
            """).DestinationRules[0];
        var policy = rule.TrafficPolicy!;
        Assert.Equal(LoadBalancerKind.LeastRequest, policy.LoadBalancer);
        Assert.Equal(new ConnectionPoolSettings(100, null, 1, TimeSpan.FromMinutes(1), Http2MaxRequests: 250), policy.ConnectionPool);
        Assert.Equal(new OutlierDetectionPolicy(7, 0, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(15), 10), policy.OutlierDetection);
        Assert.Equal(new OutlierDetectionPolicy(5, 2, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), 50), rule.Subsets[0].TrafficPolicy!.OutlierDetection);
        Assert.Equal(TimeSpan.FromMinutes(15), policy.OutlierDetection!.MaxEjectionTime);

        // Istio's merge: the subset's outlier block replaces the rule's; on 9080 the port-level pool wins
        var v1 = TrafficPolicy.Effective(policy, rule.Subsets[0].TrafficPolicy, 9080);
        Assert.Equal(LoadBalancerKind.RoundRobin, v1.LoadBalancer); // port-level settings do not inherit the rule's LEAST_REQUEST
        Assert.Equal(5, v1.ConnectionPool.MaxConnections);
        Assert.Equal(2, v1.OutlierDetection!.ConsecutiveGatewayErrors);
        var other = TrafficPolicy.Effective(policy, rule.Subsets[0].TrafficPolicy, 8080);
        Assert.Equal(100, other.ConnectionPool.MaxConnections);
    }

    [Theory]
    [InlineData("trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x}}}", "spec.trafficPolicy.loadBalancer.consistentHash")]
    [InlineData("trafficPolicy: {loadBalancer: {simple: PASSTHROUGH}}", "spec.trafficPolicy.loadBalancer.simple")]
    [InlineData("trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}", "spec.trafficPolicy.tls.mode")]
    [InlineData("trafficPolicy: {connectionPool: {http: {http2MaxRequests: -1}}}", "spec.trafficPolicy.connectionPool.http.http2MaxRequests")]
    [InlineData("trafficPolicy: {connectionPool: {http: {http2MaxRequests: many}}}", "spec.trafficPolicy.connectionPool.http.http2MaxRequests")]
    [InlineData("trafficPolicy: {connectionPool: {http: {maxRetries: 3}}}", "spec.trafficPolicy.connectionPool.http.maxRetries")]
    [InlineData("trafficPolicy: {outlierDetection: {consecutiveErrors: 5}}", "spec.trafficPolicy.outlierDetection.consecutiveErrors")]
    [InlineData("trafficPolicy: {outlierDetection: {maxEjectionPercent: 120}}", "spec.trafficPolicy.outlierDetection.maxEjectionPercent")]
    [InlineData("trafficPolicy: {outlierDetection: {interval: 0s}}", "spec.trafficPolicy.outlierDetection.interval")]
    [InlineData("subsets: [{name: v1}, {name: v1}]", "spec.subsets[1].name")]
    [InlineData("subsets: [{name: V_1}]", "spec.subsets[0].name")]
    [InlineData("trafficPolicy: {portLevelSettings: [{loadBalancer: {simple: RANDOM}}]}", "spec.trafficPolicy.portLevelSettings[0].port")]
    public void DestinationRuleMistakes_NameTheirField(string field, string path)
    {
        var errors = Errors($"""
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {"{"}name: reviews{"}"}
            spec:
              host: reviews
              {field}
            """);
        Assert.Contains(errors, e => e.Path == path);
        Assert.All(errors, e => Assert.StartsWith("DestinationRule reviews: ", e.ToString()));
    }

    [Fact]
    public void TwoVirtualServicesForOneHost_AreRejected()
    {
        var errors = Errors(VirtualService("  - route: [{destination: {host: reviews}}]", "a") + "\n---\n" + VirtualService("  - route: [{destination: {host: reviews}}]", "b"));
        var error = Assert.Single(errors);
        Assert.Equal("VirtualService b: spec.hosts[0] 'reviews.default.svc.cluster.local' is already routed by VirtualService a.default: merge the two into one", error.ToString());
    }

    [Fact]
    public void TcpRoutes_ByPort()
    {
        var service = NetworkingReader.Read("""
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: db}
            spec:
              hosts: [mysql]
              tcp:
              - match: [{port: 3306}]
                route:
                - {destination: {host: mysql, subset: a}, weight: 80}
                - {destination: {host: mysql, subset: b}, weight: 20}
            """).VirtualServices[0];
        var tcp = Assert.Single(service.Tcp);
        Assert.Equal([(ushort)3306], tcp.Ports);
        Assert.Equal([80, 20], tcp.Route.Select(r => r.Weight));
    }

    [Fact]
    public void Read_Throws_WithEveryErrorInTheMessage()
    {
        var e = Assert.Throws<MeshValidationException>(() => NetworkingReader.Read(VirtualService("  - {route: [{destination: {host: reviews}}], mirror: {host: x}, mirrorPercent: 5}"), "rules.yaml"));
        Assert.Equal(2, e.Errors.Count);
        Assert.Contains("rules.yaml: 2 error(s)", e.Message);
        Assert.Contains("VirtualService reviews: spec.http[0].mirror", e.Message);
    }

    [Fact]
    public void InvalidYaml_IsOneError() => Assert.Contains("is not valid YAML", Assert.Single(Errors("a: [unclosed")).ToString());
}
