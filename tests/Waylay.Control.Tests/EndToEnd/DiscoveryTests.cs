using System.Text.Json;
using Waylay.Discovery.V1;
using Waylay.TestKit;

namespace Waylay.Control.Tests.EndToEnd;

/// <summary>
/// The control plane and the sidecar as they run in a pod (<see cref="DiscoveryLab"/>): routes the proxy never saw on
/// disk, an edit reaching an open connection, a refused push (NACK), and the control plane crashing under traffic.
/// </summary>
public sealed class DiscoveryTests
{
    [NetnsFact]
    public async Task ProxyWithDiscovery_RoutesByAVirtualServiceItNeverSawOnDisk_AndAnEditReachesTheNextRequestOfAnOpenConnection()
    {
        await using var lab = await DiscoveryLab.StartAsync("v3");
        await UntilFreshConnectionsGetOnlyAsync(lab, "v3");

        using var client = lab.Client(maxConnections: 1);
        Assert.Equal("v3", await client.GetStringAsync(DiscoveryLab.Url("/before")));

        lab.Control.WriteManifest("virtual-service.yaml", DiscoveryLab.RouteAllTo("v1"));
        await UntilFreshConnectionsGetOnlyAsync(lab, "v1");
        var versions = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            versions.Add(await client.GetStringAsync(DiscoveryLab.Url("/after")));
        }

        Assert.True(versions.All(v => v == "v1"), $"requests on the connection opened before the change still follow the old rules: {string.Join(",", versions)}");

        // The proxy says which version it runs, and the control plane saw it ACK exactly that.
        var syncz = await lab.SynczAsync();
        var proxy = syncz.GetProperty("proxies").EnumerateArray().Single();
        Assert.Equal((await lab.ProxyDiscoveryAsync()).GetProperty("runningVersion").GetString(), syncz.GetProperty("version").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("SYNCED", proxy.GetProperty("types").GetProperty("routes").GetProperty("status").GetString());
    }

    [NetnsFact]
    public async Task EndpointRegistrations_ChangeWhereTrafficGoes_AndSendEndpointsOnly()
    {
        await using var lab = await DiscoveryLab.StartAsync("v1");
        lab.Control.WriteManifest("virtual-service.yaml", "");
        await Poll.UntilAsync(async () => (await lab.FreshConnectionVersionsAsync(30)).Count == 3, "all three endpoints to serve without a VirtualService",
            async () => string.Join(",", await lab.FreshConnectionVersionsAsync(30)));

        var before = await TypeVersionsAsync(lab);
        await lab.RegisterAsync("reviews-v2", "10.244.1.12", "v2", PodEvent.Types.Phase.Stopped);
        await lab.RegisterAsync("reviews-v3", "10.244.1.13", "v3", PodEvent.Types.Phase.NotReady);
        await Poll.UntilAsync(async () => (await lab.FreshConnectionVersionsAsync(20)).SequenceEqual(["v1"]), "only the ready, registered endpoint v1 to serve",
            async () => string.Join(",", await lab.FreshConnectionVersionsAsync(20)));

        var after = await TypeVersionsAsync(lab);
        Assert.NotEqual(before["endpoints"], after["endpoints"]);
        Assert.Equal(before["services"], after["services"]);
        Assert.Equal(before["routes"], after["routes"]);
        Assert.Equal(before["clusters"], after["clusters"]);
    }

    [NetnsFact]
    public async Task RefusedConfig_IsNackedWithTheValidatorsError_ProxyStaysOnItsVersion_AndSynczShowsIt()
    {
        await using var lab = await DiscoveryLab.StartAsync("v2");
        await UntilFreshConnectionsGetOnlyAsync(lab, "v2");
        var running = (await TypeVersionsAsync(lab))["services"];

        // A second Service on reviews' ClusterIP and port: Kubernetes would never allocate it, a file can say it; the
        // proxy's validator refuses two services on one address and port (Envoy NACKs duplicate listeners alike).
        lab.Control.WriteManifest("clash.yaml", DiscoveryLab.Service("reviews-clash"));
        JsonElement services = default;
        await Poll.UntilAsync(async () =>
        {
            services = (await lab.SynczAsync()).GetProperty("proxies")[0].GetProperty("types").GetProperty("services");
            return services.GetProperty("status").GetString() == "NACKED";
        }, "syncz to show the proxy's NACK of the services", async () => await lab.Control.SynczAsync());

        Assert.Contains("already belongs to", services.GetProperty("nackError").GetString(), StringComparison.Ordinal);
        var discovery = await lab.ProxyDiscoveryAsync();
        Assert.Equal(running, discovery.GetProperty("versions").GetProperty("services").GetString());
        Assert.Contains("already belongs to", discovery.GetProperty("lastNack").GetString(), StringComparison.Ordinal);
        Assert.Equal(["v2"], await lab.FreshConnectionVersionsAsync());

        // Fixed: the next push is taken again.
        File.Delete(Path.Combine(lab.Control.Directory, "clash.yaml"));
        lab.Control.WriteManifest("virtual-service.yaml", DiscoveryLab.RouteAllTo("v1"));
        await UntilFreshConnectionsGetOnlyAsync(lab, "v1");
    }

    [NetnsFact]
    public async Task ControlPlaneKilledMidTraffic_NoRequestFails_ProxyReconnectsAndConvergesOnItsCurrentVersion()
    {
        // Endpoints as manifests: registrations live in the control plane's memory, and a restarted one has only what
        // runtimes report again (README), which would be a different test.
        await using var lab = await DiscoveryLab.StartAsync("v3", registerPods: false);
        await UntilFreshConnectionsGetOnlyAsync(lab, "v3");
        using var client = lab.Client();
        using var stop = new CancellationTokenSource();
        var failures = new List<string>();
        var served = 0;
        var traffic = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await client.GetAsync(DiscoveryLab.Url("/load"));
                    if ((int)response.StatusCode != 200)
                    {
                        failures.Add($"status {(int)response.StatusCode}");
                    }

                    Interlocked.Increment(ref served);
                }
                catch (HttpRequestException e)
                {
                    failures.Add(e.Message);
                }
            }
        });

        lab.Control.Kill();
        await Poll.UntilAsync(async () => !(await lab.ProxyDiscoveryAsync()).GetProperty("connected").GetBoolean(), "the proxy to notice the control plane is gone",
            async () => (await lab.ProxyDiscoveryAsync()).ToString());
        var whileAway = Volatile.Read(ref served);
        await Poll.UntilAsync(() => Task.FromResult(Volatile.Read(ref served) > whileAway + 50), "requests to keep flowing while the control plane is away",
            () => Task.FromResult(Volatile.Read(ref served).ToString(System.Globalization.CultureInfo.InvariantCulture)));

        // Changed while it was down; the restarted control plane numbers its versions afresh.
        lab.Control.WriteManifest("virtual-service.yaml", DiscoveryLab.RouteAllTo("v2"));
        await lab.Control.RestartAsync();

        await UntilFreshConnectionsGetOnlyAsync(lab, "v2");
        await Poll.UntilAsync(async () =>
        {
            var syncz = await lab.SynczAsync();
            var version = syncz.GetProperty("version").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);
            return (await lab.ProxyDiscoveryAsync()).GetProperty("runningVersion").GetString() == version
                && syncz.GetProperty("proxies")[0].GetProperty("types").EnumerateObject().All(t => t.Value.GetProperty("status").GetString() == "SYNCED");
        }, "the proxy to run the restarted control plane's current version", async () => await lab.Control.SynczAsync() + (await lab.ProxyDiscoveryAsync()));

        await stop.CancelAsync();
        await traffic;
        Assert.Empty(failures);
        Assert.True(served > 100, $"only {served} requests ran");
    }

    private static Task UntilFreshConnectionsGetOnlyAsync(DiscoveryLab lab, string version)
    {
        IReadOnlyCollection<string> last = [];
        return Poll.UntilAsync(async () => (last = await lab.FreshConnectionVersionsAsync()).SequenceEqual([version]),
            $"new connections to be served by {version} only",
            async () => $"{string.Join(",", last)}; proxy: {lab.Proxy.Output}; control: {lab.Control.Output}; syncz: {await lab.Control.SynczAsync()}");
    }

    private static async Task<Dictionary<string, string>> TypeVersionsAsync(DiscoveryLab lab) =>
        (await lab.ProxyDiscoveryAsync()).GetProperty("versions").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
}
