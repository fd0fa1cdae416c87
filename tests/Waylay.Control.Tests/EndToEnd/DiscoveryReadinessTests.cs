using System.Net;
using System.Text.Json;
using Waylay.TestKit;

namespace Waylay.Control.Tests.EndToEnd;

/// <summary>
/// A sidecar with <c>--discovery</c> is not ready until its first complete config from the control plane (Istio's
/// agent holds Envoy's readiness for istiod's first push), says why on <c>/healthz/ready</c>, and once configured stays
/// ready while the control plane is away (its last good config keeps routing).
/// <code>
///   pod 10.244.1.2: waylay proxy --discovery 10.244.1.1:15010 ═veth═ peer 10.244.1.1: (nothing, then) waylay control
/// </code>
/// </summary>
public sealed class DiscoveryReadinessTests
{
    [NetnsFact]
    public async Task ProxyWithDiscovery_IsNotReadyBeforeItsFirstConfig_NorAfterANack_ReadyOnceConfigured_AndStaysReadyWhileTheControlPlaneIsAway()
    {
        var (pod, peer) = await TestPod.CreatePairAsync("10.244.1.2/24", "10.244.1.1/24");
        await using var _ = pod;
        await using var __ = peer;
        var address = $"{peer.Ip}:{TestControlPlane.Port}";
        var health = new IPEndPoint(pod.Ip, 15021);

        // Nothing answers at the address yet: listening, but not ready, and the reason names the control plane.
        var proxy = await pod.StartProxyAsync("--discovery", address);
        var (status, body) = await proxy.GetAsync("/ready");
        Assert.Equal(503, status);
        Assert.StartsWith($"{TestProxy.WaitingForConfig} {address} (not connected", body, StringComparison.Ordinal);
        var probe = await RawHttp.GetAsync(peer.Namespace, health, "/healthz/ready"); // the kubelet's view, from outside the pod
        Assert.Equal(503, probe.Status);
        Assert.Contains(address, probe.BodyText, StringComparison.Ordinal);
        var wait = await pod.Namespace.RunAsync(WaylayCli.Path, "proxy", "wait-ready", "--timeout", "1s");
        Assert.Equal(1, wait.ExitCode);
        Assert.Contains("waiting for the first config from discovery", wait.StandardError, StringComparison.Ordinal);

        // The first push of services is refused (two Services on one address and port): still not ready, and why.
        await using var control = await TestControlPlane.StartAsync(peer.Namespace, peer.Ip, new Dictionary<string, string>
        {
            ["service.yaml"] = DiscoveryLab.Service(),
            ["clash.yaml"] = DiscoveryLab.Service("reviews-clash"),
        });
        await Poll.UntilAsync(async () => (await proxy.GetAsync("/ready")).Body.Contains("last NACK", StringComparison.Ordinal),
            "the proxy to say it refused the first services", async () => (await proxy.GetAsync("/ready")).Body + proxy.Output);
        (status, body) = await proxy.GetAsync("/ready");
        Assert.Equal(503, status);
        Assert.Contains("already belongs to", body, StringComparison.Ordinal);

        // Fixed: the next push completes the config, and the proxy is ready, on both ports.
        File.Delete(Path.Combine(control.Directory, "clash.yaml"));
        await Poll.UntilAsync(async () => (await proxy.GetAsync("/ready")).Status == 200, "the proxy to be ready after its first good config",
            async () => (await proxy.GetAsync("/ready")).Body + control.Output);
        Assert.Equal("LIVE\n", (await proxy.GetAsync("/ready")).Body);
        Assert.Equal(200, (await RawHttp.GetAsync(peer.Namespace, health, "/healthz/ready")).Status);
        var dump = JsonDocument.Parse((await proxy.GetAsync("/config_dump")).Body).RootElement;
        Assert.Equal(JsonValueKind.Null, dump.GetProperty("notReady").ValueKind);
        Assert.Equal(5, dump.GetProperty("discovery").GetProperty("versions").EnumerateObject().Count());
        Assert.Contains(dump.GetProperty("configs").GetProperty("listeners").EnumerateArray(),
            l => l.GetProperty("name").GetString() == "reviews.default.svc.cluster.local_9080");

        // The control plane goes away: the proxy notices, keeps its config and stays ready.
        control.Kill();
        await Poll.UntilAsync(
            async () => !JsonDocument.Parse((await proxy.GetAsync("/config_dump")).Body).RootElement.GetProperty("discovery").GetProperty("connected").GetBoolean(),
            "the proxy to notice the control plane is gone", async () => (await proxy.GetAsync("/config_dump")).Body);
        Assert.Equal(200, (await proxy.GetAsync("/ready")).Status);
    }
}
