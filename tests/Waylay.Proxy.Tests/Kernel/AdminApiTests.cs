using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Tests.Kernel;

/// <summary>The admin API's numbers after a transfer whose size the test knows.</summary>
public sealed class AdminApiTests
{
    private const string Mesh = """
        version: admin-v1
        services:
        - name: echo
          namespace: shop
          addresses: [10.96.0.30]
          ports: [{name: tcp, port: 7000, appProtocol: tcp}]
          endpoints:
          - address: 10.244.1.11
            labels: {version: v1}
        """;

    [NetnsFact]
    public async Task AdminEndpoints_ReportTheKnownTransfer()
    {
        using var mesh = new MeshFile(Mesh);
        await using var lab = await PodWithPeer.CreateAsync("--config", mesh.Path);
        using var echo = lab.Peer.Serve(new IPEndPoint(PodWithPeer.Endpoint(1), 7000), TestServer.Echo);
        var service = new IPEndPoint(IPAddress.Parse("10.96.0.30"), 7000);

        using (var finished = await lab.Pod.ConnectAsync(service))
        {
            await TestData.SendRandomAsync(finished, 12345, seed: 9);
            finished.Shutdown(SocketShutdown.Send);
            Assert.Equal(12345, (await TestData.ReceiveHashAsync(finished)).Length);
        }

        using var live = await lab.Pod.ConnectAsync(service);
        await TestData.SendRandomAsync(live, 100, seed: 10);
        await TestData.ReceiveExactlyAsync(live, 100);

        var proxy = lab.Proxy;
        await Wait.UntilAsync(async () => await proxy.MetricAsync("waylay_upstream_cx_active", "service=\"echo.shop\"") == 1, "only the live connection to stay open");
        Assert.Equal(2, await proxy.MetricAsync("waylay_upstream_cx_total", "service=\"echo.shop\""));
        Assert.Equal(12345, await proxy.MetricAsync("waylay_tcp_sent_bytes_total", "service=\"echo.shop\""));
        Assert.Equal(12345, await proxy.MetricAsync("waylay_tcp_received_bytes_total", "service=\"echo.shop\""));
        Assert.Equal(1, await proxy.MetricAsync("waylay_downstream_cx_active", "listener=\"outbound\""));
        Assert.Equal(0, await proxy.MetricAsync("waylay_upstream_cx_connect_fail_total", "service=\"echo.shop\""));

        // /connections: the live pair, from the inside.
        var connections = JsonDocument.Parse((await proxy.GetAsync("/connections")).Body).RootElement;
        var row = Assert.Single(connections.EnumerateArray());
        Assert.Equal("10.96.0.30:7000", row.GetProperty("originalDestination").GetString());
        Assert.Equal("echo.shop", row.GetProperty("service").GetString());
        Assert.Equal("10.244.1.11:7000", row.GetProperty("endpoint").GetString());
        Assert.Equal("outbound", row.GetProperty("direction").GetString());
        Assert.StartsWith("10.244.1.2:", row.GetProperty("downstreamRemote").GetString());
        Assert.StartsWith("10.244.1.2:", row.GetProperty("upstreamLocal").GetString());
        Assert.Equal(100, row.GetProperty("bytesSent").GetInt64());
        Assert.Equal(100, row.GetProperty("bytesReceived").GetInt64());
        Assert.Equal("admin-v1", row.GetProperty("configVersion").GetString());

        // /clusters: the endpoint with its health and live count.
        var cluster = Assert.Single(JsonDocument.Parse((await proxy.GetAsync("/clusters")).Body).RootElement.EnumerateArray());
        var endpoint = Assert.Single(cluster.GetProperty("endpoints").EnumerateArray());
        Assert.Equal("Healthy", endpoint.GetProperty("health").GetString());
        Assert.Equal(1, endpoint.GetProperty("activeConnections").GetInt64());
        Assert.Equal(2, endpoint.GetProperty("totalConnections").GetInt64());

        // /config_dump: the version and the service as loaded.
        var dump = JsonDocument.Parse((await proxy.GetAsync("/config_dump")).Body).RootElement;
        Assert.Equal("admin-v1", dump.GetProperty("version").GetString());
        Assert.Equal("echo.shop", Assert.Single(dump.GetProperty("services").EnumerateArray()).GetProperty("service").GetString());

        Assert.Equal((200, "LIVE\n"), await proxy.GetAsync("/ready"));
        Assert.Equal(404, (await proxy.GetAsync("/nope")).Status);
        Assert.Equal(405, (await proxy.GetAsync("/quitquitquit")).Status);

        // The health port answers kubelet on the pod IP.
        using (var probe = lab.Pod.Namespace.Socket(AddressFamily.InterNetwork))
        {
            await probe.ConnectAsync(new IPEndPoint(lab.Pod.Ip, 15021));
            await probe.SendAsync("GET /healthz/ready HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray(), SocketFlags.None);
            Assert.StartsWith("HTTP/1.1 200", System.Text.Encoding.ASCII.GetString(await TestData.ReadToEndAsync(probe)));
        }

        Assert.Equal(200, (await proxy.PostAsync("/quitquitquit")).Status);
        Assert.True(await proxy.WaitForExitAsync(TimeSpan.FromSeconds(20)), "quitquitquit did not end the process");
    }
}
