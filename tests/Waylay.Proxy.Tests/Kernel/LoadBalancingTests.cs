using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Tests.Kernel;

public sealed class LoadBalancingTests
{
    private const string Mesh = """
        version: rr-1
        services:
        - name: spread
          addresses: [10.96.0.20]
          ports: [{port: 9080}]
          endpoints:
          - address: 10.244.1.11
          - address: 10.244.1.12
          - address: 10.244.1.13
        - name: broken
          addresses: [10.96.0.21]
          ports: [{port: 9080}]
          endpoints:
          - address: 10.244.1.14
        """;

    [NetnsFact]
    public async Task RoundRobin_SpreadsThreeHundredConnectionsEvenly_AndARefusingEndpointIsCountedAndClosedPromptly()
    {
        using var mesh = new MeshFile(Mesh);
        await using var lab = await PodWithPeer.CreateAsync("--config", mesh.Path);
        var servers = Enumerable.Range(1, 3)
            .Select(n => lab.Peer.Serve(new IPEndPoint(PodWithPeer.Endpoint(n), 9080), TestServer.Greet($"ep{n}")))
            .ToList();
        try
        {
            var landed = new Dictionary<string, int>();
            for (var batch = 0; batch < 30; batch++)
            {
                var names = await Task.WhenAll(Enumerable.Range(0, 10).Select(async _ =>
                {
                    using var client = await lab.Pod.ConnectAsync(new IPEndPoint(IPAddress.Parse("10.96.0.20"), 9080));
                    client.Shutdown(SocketShutdown.Send);
                    return Encoding.ASCII.GetString(await TestData.ReadToEndAsync(client));
                }));
                foreach (var name in names)
                {
                    landed[name] = landed.GetValueOrDefault(name) + 1;
                }
            }

            Assert.Equal(["ep1", "ep2", "ep3"], landed.Keys.Order());
            Assert.All(landed.Values, count => Assert.InRange(count, 90, 110));

            // 10.244.1.14 has no listener: the peer's kernel answers RST, the proxy counts a connect failure and
            // resets the client, which sees its connection end instead of hanging.
            await Expect.ClosedAsync(() => lab.Pod.ConnectAsync(new IPEndPoint(IPAddress.Parse("10.96.0.21"), 9080)));

            await Wait.UntilAsync(async () => await lab.Proxy.MetricAsync("waylay_upstream_cx_connect_fail_total", "service=\"broken.default\"") == 1, "one connect failure for broken.default");
            Assert.Equal(0, await lab.Proxy.MetricAsync("waylay_upstream_cx_connect_fail_total", "service=\"spread.default\""));
            Assert.Equal(300, await lab.Proxy.MetricAsync("waylay_upstream_cx_total", "service=\"spread.default\""));

            var clusters = JsonDocument.Parse((await lab.Proxy.GetAsync("/clusters")).Body).RootElement;
            var broken = clusters.EnumerateArray().Single(c => c.GetProperty("service").GetString() == "broken.default");
            var endpoint = broken.GetProperty("endpoints")[0];
            Assert.Equal("10.244.1.14:9080", endpoint.GetProperty("address").GetString());
            Assert.Equal(1, endpoint.GetProperty("connectFailures").GetInt64());
            var spread = clusters.EnumerateArray().Single(c => c.GetProperty("service").GetString() == "spread.default");
            Assert.Equal(300, spread.GetProperty("endpoints").EnumerateArray().Sum(e => e.GetProperty("totalConnections").GetInt64()));
        }
        finally
        {
            servers.ForEach(s => s.Dispose());
        }
    }
}
