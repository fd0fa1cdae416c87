using System.Text.Json;
using Waylay.Proxy.Mesh.Tests.Lab;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Mesh.Tests.Http1;

/// <summary>
/// The HTTP/1 pool's upstream connect, made with socket(2)/connect(2) rather than a .NET Socket, through the real
/// sidecar: the upstream's local address (read only when something shows it) is the same in the access log, in the
/// downstream connection's /connections row and in the pooled connection's; and connects the endpoint refuses leave no
/// descriptor behind in the proxy (counted in /proc/PID/fd, which only the proxy's own work changes).
/// </summary>
public sealed class UpstreamConnectTests
{
    [NetnsFact]
    public async Task UpstreamLocalAddress_SameInTheAccessLog_TheDownstreamRow_AndThePooledRow()
    {
        await using var lab = await ServiceLab.StartAsync(rules: null, versions: 1, accessLog: true, proxyArguments: ["--access-log-format", "json"]);
        using var client = lab.Client(maxConnections: 1);
        using (var response = await client.GetAsync(ServiceLab.Url("/where-from")))
        {
            Assert.Equal(200, (int)response.StatusCode);
        }

        var line = await AccessLogs.LineForAsync(lab.AccessLog!, "/where-from");
        var logged = JsonDocument.Parse(line.Raw).RootElement.GetProperty("upstream_local_address").GetString();
        Assert.StartsWith("10.244.1.2:", logged);

        var rows = JsonDocument.Parse((await lab.Proxy.GetAsync("/connections")).Body).RootElement.EnumerateArray().ToList();
        var pooled = Assert.Single(rows, r => r.GetProperty("direction").GetString() == "upstream-pool");
        Assert.Equal(logged, pooled.GetProperty("upstreamLocal").GetString());
        Assert.Equal($"{ServiceLab.EndpointIp(1)}:{ServiceLab.Port}", pooled.GetProperty("endpoint").GetString());
        var downstream = Assert.Single(rows, r => r.GetProperty("direction").GetString() == "outbound");
        Assert.Equal(logged, downstream.GetProperty("upstreamLocal").GetString());
        Assert.Equal(1, lab.Endpoint("v1").Connections);
    }

    [NetnsFact]
    public async Task RefusedConnects_503UF_LeaveNoDescriptorInTheProxy()
    {
        await using var lab = await ServiceLab.StartAsync(rules: null, versions: 1, accessLog: true);
        using var client = lab.Client(maxConnections: 1);
        using (var response = await client.GetAsync(ServiceLab.Url("/before")))
        {
            Assert.Equal(200, (int)response.StatusCode);
        }

        await lab.Endpoint("v1").DisposeAsync(); // its port now refuses
        using (var response = await client.GetAsync(ServiceLab.Url("/warm")))
        {
            Assert.Equal(503, (int)response.StatusCode);
        }

        var before = Descriptors(lab.Proxy.Pid);
        for (var i = 0; i < 40; i++)
        {
            // Each request is three refused connects: Istio's default retries on connect-failure.
            using var response = await client.GetAsync(ServiceLab.Url($"/refused/{i}"));
            Assert.Equal(503, (int)response.StatusCode);
        }

        var after = Descriptors(lab.Proxy.Pid);
        Assert.Contains("UF", (await AccessLogs.LineForAsync(lab.AccessLog!, "/refused/39")).ResponseFlags.Split(','));
        Assert.True(after <= before + 4, $"the proxy held {before} descriptors before 120 refused connects and {after} after");
    }

    private static int Descriptors(int pid) => Directory.GetFiles($"/proc/{pid}/fd").Length;
}
