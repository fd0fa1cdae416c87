using System.Text;
using Waylay.Proxy.Telemetry.Http;
using Xunit;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy.Telemetry.Tests.Http;

public sealed class IstioMetricsTests
{
    private static readonly IstioLabels Outbound = new(
        Reporter.Source,
        new IstioPeer("productpage-v1", "default", "pro\"duct\\page\nx", "v1", CanonicalService: "productpage", CanonicalRevision: "v1", Cluster: "Kubernetes"),
        new IstioPeer("reviews-v2", "default", "reviews", "v2", CanonicalService: "reviews", CanonicalRevision: "v2", Cluster: "Kubernetes"),
        "reviews.default.svc.cluster.local", "reviews", "default");

    // Istio's label order, with the app label's quote, backslash and line feed escaped.
    private const string Peers =
        "reporter=\"source\",source_workload=\"productpage-v1\",source_canonical_service=\"productpage\",source_canonical_revision=\"v1\"," +
        "source_workload_namespace=\"default\",source_principal=\"unknown\",source_app=\"pro\\\"duct\\\\page\\nx\",source_version=\"v1\"," +
        "source_cluster=\"Kubernetes\",destination_workload=\"reviews-v2\",destination_workload_namespace=\"default\"," +
        "destination_principal=\"unknown\",destination_app=\"reviews\",destination_version=\"v2\"," +
        "destination_service=\"reviews.default.svc.cluster.local\",destination_canonical_service=\"reviews\"," +
        "destination_canonical_revision=\"v2\",destination_service_name=\"reviews\",destination_service_namespace=\"default\"," +
        "destination_cluster=\"Kubernetes\"";

    private const string Ok = Peers + ",request_protocol=\"http\",response_code=\"200\",grpc_response_status=\"\",response_flags=\"-\",connection_security_policy=\"none\"";
    private const string Failed = Peers + ",request_protocol=\"http\",response_code=\"503\",grpc_response_status=\"\",response_flags=\"UF,URX\",connection_security_policy=\"none\"";

    private static readonly string[] Le = ["0.5", "1", "5", "10", "25", "50", "100", "250", "500", "1000", "2500", "5000", "10000", "30000", "60000", "300000", "600000", "1800000", "3600000", "+Inf"];

    [Fact]
    public void Exposition_AfterAKnownRun_HasTheExactCountsBucketsAndSums()
    {
        using var metrics = new IstioMetrics();
        var labels = metrics.Intern(Outbound);
        metrics.RecordRequest(labels, 200, ResponseFlags.None, 0.5, 0, 295);
        metrics.RecordRequest(labels, 503, ResponseFlags.UpstreamConnectionFailure | ResponseFlags.UpstreamRetryLimitExceeded, 12, 0, 91);
        metrics.RecordRequest(labels, 200, ResponseFlags.None, 3, 10, 295);
        metrics.RecordRequest(Outbound with { }, 200, ResponseFlags.None, 7000, 150, 5000); // an equal, not interned, set joins the same series

        var expected = new StringBuilder()
            .Append("# TYPE istio_requests_total counter\n")
            .Append($"istio_requests_total{{{Ok}}} 3\n")
            .Append($"istio_requests_total{{{Failed}}} 1\n")
            .Append("# TYPE istio_request_duration_milliseconds histogram\n")
            .Append(Histogram("istio_request_duration_milliseconds", Ok, Le, [1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3], "7003.5", 3))
            .Append(Histogram("istio_request_duration_milliseconds", Failed, Le, [0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], "12", 1))
            .Append("# TYPE istio_request_bytes histogram\n")
            .Append(Histogram("istio_request_bytes", Ok, Le, [1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3], "160", 3))
            .Append(Histogram("istio_request_bytes", Failed, Le, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], "0", 1))
            .Append("# TYPE istio_response_bytes histogram\n")
            .Append(Histogram("istio_response_bytes", Ok, Le, [0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3], "5590", 3))
            .Append(Histogram("istio_response_bytes", Failed, Le, [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], "91", 1))
            .Append("# TYPE istio_tcp_connections_opened_total counter\n")
            .Append("# TYPE istio_tcp_connections_closed_total counter\n")
            .Append("# TYPE istio_tcp_sent_bytes_total counter\n")
            .Append("# TYPE istio_tcp_received_bytes_total counter\n")
            .ToString();
        Assert.Equal(expected, metrics.RenderPrometheus());
    }

    [Fact]
    public void TcpConnections_CountOpenedUnderNoFlags_AndClosedUnderTheirOutcome()
    {
        using var metrics = new IstioMetrics();
        var labels = metrics.Intern(Outbound with { Reporter = Reporter.Destination, RequestProtocol = "tcp", ConnectionSecurityPolicy = "mutual_tls" });
        metrics.TcpOpened(labels);
        metrics.TcpOpened(labels);
        metrics.TcpBytes(labels, ResponseFlags.None, 40, 5);
        metrics.TcpClosed(labels, ResponseFlags.None, 60, 15);
        metrics.TcpClosed(labels, ResponseFlags.UpstreamConnectionFailure, 0, 0);

        var tcp = Peers.Replace("reporter=\"source\"", "reporter=\"destination\"") + ",request_protocol=\"tcp\"";
        var ok = tcp + ",response_flags=\"-\",connection_security_policy=\"mutual_tls\"";
        var uf = tcp + ",response_flags=\"UF\",connection_security_policy=\"mutual_tls\"";
        var text = metrics.RenderPrometheus();

        Assert.EndsWith(
            "# TYPE istio_tcp_connections_opened_total counter\n" +
            $"istio_tcp_connections_opened_total{{{ok}}} 2\n" +
            "# TYPE istio_tcp_connections_closed_total counter\n" +
            $"istio_tcp_connections_closed_total{{{ok}}} 1\n" +
            $"istio_tcp_connections_closed_total{{{uf}}} 1\n" +
            "# TYPE istio_tcp_sent_bytes_total counter\n" +
            $"istio_tcp_sent_bytes_total{{{ok}}} 100\n" +
            $"istio_tcp_sent_bytes_total{{{uf}}} 0\n" +
            "# TYPE istio_tcp_received_bytes_total counter\n" +
            $"istio_tcp_received_bytes_total{{{ok}}} 20\n" +
            $"istio_tcp_received_bytes_total{{{uf}}} 0\n",
            text);
        Assert.StartsWith("# TYPE istio_requests_total counter\n# TYPE istio_request_duration_milliseconds histogram\n", text);
    }

    [Fact]
    public void GrpcStatus_IsItsOwnLabelValue()
    {
        using var metrics = new IstioMetrics();
        var labels = metrics.Intern(Outbound with { RequestProtocol = "grpc" });
        metrics.RecordRequest(labels, 200, ResponseFlags.None, 1, 5, 5, grpcStatus: 14);

        Assert.Contains("request_protocol=\"grpc\",response_code=\"200\",grpc_response_status=\"14\",response_flags=\"-\"", metrics.RenderPrometheus());
    }

    [Fact]
    public void Intern_ReturnsOneInstancePerValue()
    {
        using var metrics = new IstioMetrics();
        Assert.Same(metrics.Intern(Outbound), metrics.Intern(Outbound with { }));
        Assert.NotSame(metrics.Intern(Outbound), metrics.Intern(Outbound with { DestinationServiceName = "ratings" }));
    }

    /// <summary>
    /// Each label set remembers the series it recorded into last (a per-request shortcut): alternating outcomes, a
    /// copy with other labels and a set interned by another IstioMetrics must each still land in their own series.
    /// </summary>
    [Fact]
    public void LastSeriesShortcut_NeverMixesSeries()
    {
        using var metrics = new IstioMetrics();
        using var other = new IstioMetrics();
        var labels = metrics.Intern(Outbound with { });
        var grpc = labels with { RequestProtocol = "grpc" };
        for (var i = 0; i < 10; i++)
        {
            metrics.RecordRequest(labels, i % 2 == 0 ? 200 : 503, ResponseFlags.None, 1, 0, 0);
            metrics.RecordRequest(grpc, 200, ResponseFlags.None, 1, 0, 0);
            other.RecordRequest(labels, 200, ResponseFlags.None, 1, 0, 0);
        }

        var text = metrics.RenderPrometheus();
        Assert.Contains("request_protocol=\"http\",response_code=\"200\",grpc_response_status=\"\",response_flags=\"-\",connection_security_policy=\"none\"} 5\n", text);
        Assert.Contains("request_protocol=\"http\",response_code=\"503\",grpc_response_status=\"\",response_flags=\"-\",connection_security_policy=\"none\"} 5\n", text);
        Assert.Contains("request_protocol=\"grpc\",response_code=\"200\",grpc_response_status=\"\",response_flags=\"-\",connection_security_policy=\"none\"} 10\n", text);
        Assert.Contains("request_protocol=\"http\",response_code=\"200\",grpc_response_status=\"\",response_flags=\"-\",connection_security_policy=\"none\"} 10\n", other.RenderPrometheus());
        Assert.DoesNotContain("response_code=\"503\"", other.RenderPrometheus());
    }

    [Fact]
    public void RecordingARequest_WithInternedLabels_AllocatesNothing()
    {
        using var metrics = new IstioMetrics();
        var labels = metrics.Intern(Outbound);
        var flags = ResponseFlags.UpstreamRequestTimeout;
        for (var i = 0; i < 1000; i++)
        {
            metrics.RecordRequest(labels, 504, flags, 15000, 0, 24);
            metrics.TcpClosed(labels, flags, 1, 1);
            _ = flags.ToEnvoyString();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            metrics.RecordRequest(labels, 504, flags, 15000, 0, 24);
            metrics.TcpClosed(labels, flags, 1, 1);
            _ = flags.ToEnvoyString();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Contains("response_flags=\"UT\",connection_security_policy=\"none\"} 2000\n", metrics.RenderPrometheus());
    }

    [Theory]
    [InlineData(ResponseFlags.None, "-")]
    [InlineData(ResponseFlags.NoRouteFound, "NR")]
    [InlineData(ResponseFlags.UpstreamRetryLimitExceeded | ResponseFlags.NoHealthyUpstream, "UH,URX")]
    [InlineData(ResponseFlags.DownstreamProtocolError, "DPE")]
    [InlineData(ResponseFlags.FaultInjected | ResponseFlags.DelayInjected, "DI,FI")]
    public void ResponseFlags_RenderInEnvoysOrder(ResponseFlags flags, string text) => Assert.Equal(text, flags.ToEnvoyString());

    private static string Histogram(string name, string labels, string[] le, int[] cumulative, string sum, int count)
    {
        var text = new StringBuilder();
        for (var i = 0; i < le.Length; i++)
        {
            text.Append($"{name}_bucket{{{labels},le=\"{le[i]}\"}} {cumulative[i]}\n");
        }

        return text.Append($"{name}_sum{{{labels}}} {sum}\n{name}_count{{{labels}}} {count}\n").ToString();
    }
}
