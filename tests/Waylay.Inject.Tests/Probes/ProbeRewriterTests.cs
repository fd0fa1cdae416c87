using System.Text.Json.Nodes;
using Waylay.Inject.Probes;

namespace Waylay.Inject.Tests.Probes;

public sealed class ProbeRewriterTests
{
    private static JsonArray Containers(string json) => (JsonArray)JsonNode.Parse(json)!;

    [Fact]
    public void RewriteThenRestore_GivesTheOriginalBack()
    {
        const string json = """
            [{"name":"web","ports":[{"name":"http","containerPort":8080}],
              "livenessProbe":{"tcpSocket":{"port":"http"},"periodSeconds":5},
              "readinessProbe":{"httpGet":{"path":"/r","port":"8080","scheme":"HTTPS"},"timeoutSeconds":4},
              "startupProbe":{"exec":{"command":["true"]}}}]
            """;
        var containers = Containers(json);
        var probers = ProbeRewriter.Rewrite(containers, 15021, []);
        Assert.NotNull(probers);
        Assert.Equal("/app-health/web/livez", containers[0]!["livenessProbe"]!["httpGet"]!["path"]!.GetValue<string>());
        Assert.Null(containers[0]!["livenessProbe"]!["tcpSocket"]);
        Assert.Equal(15021, containers[0]!["readinessProbe"]!["httpGet"]!["port"]!.GetValue<int>());
        Assert.Null(containers[0]!["readinessProbe"]!["httpGet"]!["scheme"]);

        var parsed = JsonNode.Parse(probers)!;
        Assert.Equal(8080, parsed["/app-health/web/livez"]!["tcpSocket"]!["port"]!.GetValue<int>());
        Assert.Equal("HTTPS", parsed["/app-health/web/readyz"]!["httpGet"]!["scheme"]!.GetValue<string>());
        Assert.Equal(4, parsed["/app-health/web/readyz"]!["timeoutSeconds"]!.GetValue<int>());
        Assert.Null(parsed["/app-health/web/startupz"]);

        ProbeRewriter.Restore(containers, probers);
        Assert.Equal(JsonNode.Parse(json)!.ToJsonString(), containers.ToJsonString());
    }

    [Fact]
    public void GrpcProbe_BecomesAnHttpGetOnTheHealthPort_AsIstioRewritesIt_AndIsRestored()
    {
        const string json = """
            [{"name":"api","readinessProbe":{"grpc":{"port":9090,"service":"api"},"timeoutSeconds":3,"periodSeconds":5}}]
            """;
        var containers = Containers(json);
        var probers = ProbeRewriter.Rewrite(containers, 15021, []);
        Assert.Equal(
            """{"httpGet":{"path":"/app-health/api/readyz","port":15021},"timeoutSeconds":3,"periodSeconds":5}""",
            containers[0]!["readinessProbe"]!.ToJsonString());
        Assert.Equal("""{"/app-health/api/readyz":{"grpc":{"port":9090,"service":"api"},"timeoutSeconds":3}}""", probers);

        ProbeRewriter.Restore(containers, probers!);
        Assert.Equal(JsonNode.Parse(json)!.ToJsonString(), containers.ToJsonString());
    }

    [Fact]
    public void GrpcProbeWithoutANumericPort_IsLeftAlone_WithAWarning()
    {
        var containers = Containers("""[{"name":"api","livenessProbe":{"grpc":{"port":"grpc"}}}]""");
        var warnings = new List<string>();
        Assert.Null(ProbeRewriter.Rewrite(containers, 15021, warnings));
        Assert.NotNull(containers[0]!["livenessProbe"]!["grpc"]);
        Assert.Single(warnings);
    }

    [Fact]
    public void UnknownNamedPort_IsLeftAlone_WithAWarning()
    {
        var containers = Containers("""[{"name":"web","livenessProbe":{"httpGet":{"path":"/","port":"missing"}}}]""");
        var warnings = new List<string>();
        Assert.Null(ProbeRewriter.Rewrite(containers, 15021, warnings));
        Assert.Equal("/", containers[0]!["livenessProbe"]!["httpGet"]!["path"]!.GetValue<string>());
        Assert.Contains(warnings, w => w.Contains("'\"missing\"'", StringComparison.Ordinal));
    }

    [Fact]
    public void ProbeOfAnotherHost_IsLeftAlone()
    {
        var containers = Containers("""[{"name":"web","livenessProbe":{"httpGet":{"host":"db","path":"/","port":80}}}]""");
        var warnings = new List<string>();
        Assert.Null(ProbeRewriter.Rewrite(containers, 15021, warnings));
        Assert.Single(warnings);
    }
}
