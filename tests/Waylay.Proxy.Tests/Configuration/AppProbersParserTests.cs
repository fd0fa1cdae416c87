using Waylay.Proxy.Configuration;
using Xunit;

namespace Waylay.Proxy.Tests.Configuration;

public sealed class AppProbersParserTests
{
    private const string Variable = "WAYLAY_KUBE_APP_PROBERS";

    private static (Dictionary<string, AppProber> Probers, IReadOnlyList<string> Errors) Parse(string json)
    {
        var probers = new Dictionary<string, AppProber>();
        return (probers, AppProbersParser.Parse(Variable, json, probers));
    }

    [Fact]
    public void InjectorOutput_IsReadIntoTypedProbers()
    {
        // What `waylay inject` writes for tests/Waylay.Inject.Tests/testdata/inject/probes.yaml (originalPort included).
        var (probers, errors) = Parse("""
            {"/app-health/web/livez":{"httpGet":{"path":"/healthz","port":8080,"httpHeaders":[{"name":"X-Probe","value":"liveness"}]},"originalPort":"http"},
             "/app-health/web/readyz":{"httpGet":{"path":"ready","port":8443,"scheme":"HTTPS","host":"10.0.0.9"},"timeoutSeconds":2},
             "/app-health/web/startupz":{"tcpSocket":{"port":8080}},
             "/app-health/worker/readyz":{"grpc":{"port":9090,"service":"worker"},"timeoutSeconds":5}}
            """);
        Assert.Empty(errors);
        var live = probers["/app-health/web/livez"];
        Assert.Equal(AppProbeKind.HttpGet, live.Kind);
        Assert.Equal((ushort)8080, live.Port);
        Assert.Equal("/healthz", live.Path);
        Assert.False(live.Https);
        Assert.Equal([new("X-Probe", "liveness")], live.Headers);
        Assert.Equal(AppProbersParser.DefaultTimeout, live.Timeout);

        var ready = probers["/app-health/web/readyz"];
        Assert.Equal("/ready", ready.Path);
        Assert.True(ready.Https);
        Assert.Equal("10.0.0.9", ready.Host);
        Assert.Equal(TimeSpan.FromSeconds(2), ready.Timeout);

        Assert.Equal(AppProbeKind.TcpSocket, probers["/app-health/web/startupz"].Kind);
        var grpc = probers["/app-health/worker/readyz"];
        Assert.Equal(AppProbeKind.Grpc, grpc.Kind);
        Assert.Equal("worker", grpc.Service);
        Assert.Equal(TimeSpan.FromSeconds(5), grpc.Timeout);
    }

    [Theory]
    [InlineData("{not json", "WAYLAY_KUBE_APP_PROBERS is not valid JSON")]
    [InlineData("[]", "WAYLAY_KUBE_APP_PROBERS must be a JSON object")]
    [InlineData("""{"/healthz/ready":{"tcpSocket":{"port":80}}}""", "the path must be /app-health/<container>/livez|readyz|startupz")]
    [InlineData("""{"/app-health/web/livez":{"tcpSocket":{"port":80},"httpGet":{"port":80}}}""", "exactly one of httpGet, tcpSocket or grpc (it has 2)")]
    [InlineData("""{"/app-health/web/livez":{"timeoutSeconds":1}}""", "exactly one of httpGet, tcpSocket or grpc (it has 0)")]
    [InlineData("""{"/app-health/web/livez":{"httpGet":{"path":"/","port":"http"}}}""", "WAYLAY_KUBE_APP_PROBERS[\"/app-health/web/livez\"].httpGet.port: \"http\" is not a port number")]
    [InlineData("""{"/app-health/web/livez":{"tcpSocket":{"port":70000}}}""", "tcpSocket.port: 70000 is not a port number")]
    [InlineData("""{"/app-health/web/livez":{"grpc":{"port":9090},"timeoutSeconds":"1"}}""", "timeoutSeconds: '\"1\"' is not a number of seconds")]
    public void BadProbers_AreRefused_NamingTheVariableAndTheFix(string json, string message)
    {
        var (probers, errors) = Parse(json);
        Assert.Contains(errors, e => e.Contains(message, StringComparison.Ordinal));
        Assert.All(errors, e => Assert.StartsWith(Variable, e, StringComparison.Ordinal));
        Assert.Empty(probers);
    }

    [Fact]
    public void EveryBadEntry_IsReportedAtOnce()
    {
        var (_, errors) = Parse("""{"/x":{"tcpSocket":{"port":1}},"/app-health/a/livez":{"tcpSocket":{"port":0}}}""");
        Assert.Equal(2, errors.Count);
    }

    [Fact]
    public void SamePathInBothVariables_IsRefused()
    {
        var probers = new Dictionary<string, AppProber>();
        Assert.Empty(AppProbersParser.Parse(Variable, """{"/app-health/a/livez":{"tcpSocket":{"port":1}}}""", probers));
        var errors = AppProbersParser.Parse("ISTIO_KUBE_APP_PROBERS", """{"/app-health/a/livez":{"tcpSocket":{"port":2}}}""", probers);
        Assert.Contains("given twice", Assert.Single(errors));
        Assert.Equal((ushort)1, probers["/app-health/a/livez"].Port);
    }
}
