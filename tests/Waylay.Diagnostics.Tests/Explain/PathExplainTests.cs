using Waylay.TestKit;

namespace Waylay.Diagnostics.Tests.Explain;

/// <summary>`waylay explain … --run` through the real CLI: the prediction, then the same connection made and every step confirmed.</summary>
[Collection(MeshCollection.Name)]
public sealed class PathExplainTests(TwoPodMesh mesh)
{
    [NetnsFact]
    public async Task AppToService_IsCapturedByItsOutput_RoutedByItsProxyToAnEndpoint_AndCapturedAgainByTheCalleesPrerouting()
    {
        var details = mesh.Pod("details");

        var output = await ExplainAsync("ratings", "app", "http://details:9080/details/0");

        Assert.Contains("captured: REDIRECT to 127.0.0.1:15001", output, StringComparison.Ordinal);
        // The proxy has the service (from the control plane) and connects to the pod itself: no kube-proxy DNAT.
        Assert.Matches(@"service \S*details\S* port http \(HTTP: .*\) → connects to one of 1 endpoint\(s\) directly", output);
        Assert.Contains($"endpoint {details.Address}:9080 ({details.Name}", output, StringComparison.Ordinal);
        Assert.Contains("kube-proxy's Service portal", output, StringComparison.Ordinal);
        Assert.DoesNotContain("DNAT to one of", output, StringComparison.Ordinal);
        Assert.Contains($"the proxy's /connections has an upstream to {details.Address}:9080", output, StringComparison.Ordinal);
        Assert.Contains($"conntrack has {mesh.Pod("ratings").Address} → {details.Address}:9080, not rewritten", output, StringComparison.Ordinal);
        Assert.Contains("REDIRECT to eth0's address:15006", output, StringComparison.Ordinal);
        Assert.Contains("answered 'HTTP/1.1 200", output, StringComparison.Ordinal);
    }

    [NetnsFact]
    public async Task AppToAPodIp_IsNoServiceOfItsProxy_PassedThroughToTheOriginalDestination()
    {
        var details = mesh.Pod("details");

        var output = await ExplainAsync("ratings", "app", $"{details.Address}:9080");

        Assert.Contains("captured: REDIRECT to 127.0.0.1:15001", output, StringComparison.Ordinal);
        Assert.Contains($"passthrough to the original destination {details.Address}:9080", output, StringComparison.Ordinal);
        Assert.Contains($"the proxy's /connections has an outbound pair for {details.Address}:9080", output, StringComparison.Ordinal);
        Assert.Contains("is no Service portal: routed as addressed", output, StringComparison.Ordinal);
        Assert.Contains("REDIRECT to eth0's address:15006", output, StringComparison.Ordinal);
    }

    [NetnsFact]
    public async Task SidecarToService_IsNotCapturedByItsOutput_ButByTheCalleesPrerouting()
    {
        var output = await ExplainAsync("ratings", "sidecar", "details:9080");

        Assert.Contains("waylay-proxy (uid 1337) connects: not captured", output, StringComparison.Ordinal);
        Assert.Contains("-A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN", output, StringComparison.Ordinal);
        Assert.Contains("REDIRECT to eth0's address:15006", output, StringComparison.Ordinal);
    }

    [NetnsFact]
    public async Task FromTheIngressGateway_NothingCapturesInItsPod_ButTheCalleesPreroutingDoes()
    {
        // The gateway lives in istio-system: a bare "details" is not in its DNS search list, as under Kubernetes.
        var output = await ExplainAsync("istio-ingressgateway", "sidecar", "details.default:9080");

        Assert.Contains("istio-proxy (uid 1337) connects: not captured: the pod has no capture rules (not injected)", output, StringComparison.Ordinal);
        Assert.Contains("REDIRECT to eth0's address:15006", output, StringComparison.Ordinal);
        Assert.Matches(@"seen details-\S+: the proxy's /connections has an inbound pair", output);
    }

    [NetnsFact]
    public async Task AppToLocalhost_ReturnsAtTheLoopbackRule_AndStaysInThePod()
    {
        var output = await ExplainAsync("ratings", "app", "localhost:9080");

        Assert.Contains("not captured: the connection goes to 127.0.0.1:9080", output, StringComparison.Ordinal);
        Assert.Contains("-A ISTIO_OUTPUT -o lo -m owner ! --uid-owner 1337 -j RETURN", output, StringComparison.Ordinal);
        Assert.Contains("stays in the pod: container ratings", output, StringComparison.Ordinal);
    }

    [NetnsFact]
    public async Task ExcludedOutboundPort_BypassIsPredicted_AndObserved()
    {
        var details = mesh.Pod("details");

        var output = await ExplainAsync("ratings", "app", $"{details.Address}:15021");

        Assert.Contains("-A ISTIO_OUTPUT -p tcp -m tcp --dport 15021 -j RETURN  (outbound port 15021 is excluded (-o))", output, StringComparison.Ordinal);
        Assert.Contains("-A ISTIO_INBOUND -p tcp -m tcp --dport 15021 -j RETURN", output, StringComparison.Ordinal);
        Assert.Contains("answered by container waylay-proxy", output, StringComparison.Ordinal);
        Assert.DoesNotContain("REDIRECT to", output, StringComparison.Ordinal);
    }

    [NetnsFact]
    public async Task ExcludedOutboundRange_BypassIsPredicted_AndObserved_KubeProxyDnatsIt_TheCalleeStillCaptures()
    {
        // ratings excludes 10.96.0.200/32 (traffic.sidecar.istio.io/excludeOutboundIPRanges), details-bypass's ClusterIP.
        var output = await ExplainAsync("ratings", "app", "10.96.0.200:9080");

        Assert.Contains("-A ISTIO_OUTPUT -d 10.96.0.200/32 -j RETURN", output, StringComparison.Ordinal);
        Assert.DoesNotContain("REDIRECT to 127.0.0.1:15001", output, StringComparison.Ordinal);
        Assert.Contains("kube-proxy: Service portal 10.96.0.200:9080 → DNAT to one of 1 endpoint(s)", output, StringComparison.Ordinal);
        Assert.Contains("REDIRECT to eth0's address:15006", output, StringComparison.Ordinal);
    }

    [NetnsFact]
    public async Task AForeignRuleAheadOfTheCapture_IsAMismatch_TheStepIsMarked_ExitOne()
    {
        var ratings = mesh.Pod("ratings");
        string[] foreign = ["OUTPUT", "-p", "tcp", "-m", "tcp", "--dport", "9080", "-j", "ACCEPT"];
        Assert.True((await TwoPodMesh.InPodAsync(ratings, ["iptables", "-t", "nat", "-I", .. foreign])).Succeeded);
        try
        {
            var result = await MeshCollection.CliAsync(mesh, "explain", "ratings", "--from", "app", "--to", "details:9080", "--run");

            // The plan says captured; the kernel let it through (the foreign ACCEPT): the OUTPUT step and the proxy's differ.
            Assert.Equal(1, result.ExitCode);
            Assert.Contains("OUTPUT: ratings (uid 1000) connects: captured: REDIRECT to 127.0.0.1:15001", result.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("✗ differs", result.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("not seen", result.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("where reality differs from the prediction", result.StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            await TwoPodMesh.InPodAsync(ratings, ["iptables", "-t", "nat", "-D", .. foreign]);
        }
    }

    private async Task<string> ExplainAsync(string pod, string from, string to)
    {
        var result = await MeshCollection.CliAsync(mesh, "explain", pod, "--from", from, "--to", to, "--run");
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}\n{result.StandardOutput}\n{result.StandardError}");
        Assert.Contains("every step confirmed", result.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("not seen", result.StandardOutput, StringComparison.Ordinal);
        return result.StandardOutput;
    }
}
