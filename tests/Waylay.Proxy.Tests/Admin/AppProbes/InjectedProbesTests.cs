using System.Globalization;
using System.Net;
using Grpc.Health.V1;
using Waylay.Linux;
using Waylay.TestKit;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace Waylay.Proxy.Tests.Admin.AppProbes;

/// <summary>
/// End to end, from the manifest to the kubelet's GET: the real <c>waylay inject</c> rewrites a pod's http, tcp and
/// grpc probes; the injected init container's capture command is applied in a fresh pod namespace; the sidecar runs
/// with the injected container's args and env exactly (only what the kubelet fills in is substituted: the downward
/// API's pod name, namespace, IP and service account) under the injected securityContext's uid and gid; and each
/// rewritten probe, sent as the kubelet sends it, passes while the app is healthy and fails while it is not.
/// </summary>
public sealed class InjectedProbesTests
{
    private const string PodName = "probed";

    [NetnsTheory]
    [InlineData("REDIRECT")]
    [InlineData("TPROXY")]
    public async Task InjectedPod_RewrittenProbes_PassWhileTheAppIsHealthy_AndFailWhileItIsNot(string mode)
    {
        // Timeouts far above what a probe needs: this runs beside every other test assembly, and the kubelet's default
        // second can pass before a busy machine's first gRPC call is answered. The timeout itself is AppProbeTests'.
        using var manifest = TestFile.Config("probed", $$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: {{PodName}}
              labels: {app: probed}
              annotations:
                sidecar.istio.io/interceptionMode: {{mode}}
            spec:
              containers:
              - name: app
                image: example.com/app:1
                ports:
                - name: http
                  containerPort: 8080
                readinessProbe:
                  httpGet:
                    path: /ready
                    port: http
                    httpHeaders:
                    - {name: X-Probe, value: readiness}
                  timeoutSeconds: 10
                livenessProbe:
                  tcpSocket: {port: 7000}
                  timeoutSeconds: 10
                startupProbe:
                  grpc: {port: 9090}
                  timeoutSeconds: 10
            """);
        var injected = await WaylayCli.RunAsync("inject", "-f", manifest.Path);
        Assert.True(injected.Succeeded, injected.Diagnostic);
        var spec = (YamlMappingNode)Root(injected.StandardOutput)["spec"];
        var app = Container(spec, "containers", "app");
        var proxyContainer = Container(spec, "containers", "waylay-proxy");
        var init = Container(spec, "initContainers", "waylay-init");

        var (pod, node) = await TestPod.CreatePairAsync("10.244.1.2/24", "10.244.1.1/24");
        await using var _ = pod;
        await using var __ = node;

        // The init container: `waylay capture …` as injected.
        var initArgs = Strings(init["args"]);
        Assert.Equal("capture", initArgs[0]);
        await pod.CaptureAsync([.. initArgs.Skip(1)]);

        await using var web = await ProbeApp.HttpAsync(pod.Namespace, new IPEndPoint(pod.Ip, 8080));
        await using var grpc = await ProbeApp.GrpcAsync(pod.Namespace, new IPEndPoint(pod.Ip, 9090));
        var tcp = pod.Serve(new IPEndPoint(pod.Ip, 7000), TestServer.Echo);

        // The proxy container: its args and env as injected, run as its securityContext says.
        var environment = new Dictionary<string, string>();
        foreach (var variable in ((YamlSequenceNode)proxyContainer["env"]).Cast<YamlMappingNode>())
        {
            environment[Scalar(variable["name"])] = variable.Children.TryGetValue("value", out var value)
                ? Scalar(value)
                : Downward(Scalar(variable["valueFrom"]["fieldRef"]["fieldPath"]), pod.Ip);
        }

        Assert.Contains("WAYLAY_KUBE_APP_PROBERS", environment.Keys);
        var security = (YamlMappingNode)proxyContainer["securityContext"];
        var proxy = await TestProxy.StartContainerAsync(
            pod.Namespace, Strings(proxyContainer["args"]), environment, Number(security["runAsUser"]), Number(security["runAsGroup"]));

        var probes = new[] { "readinessProbe", "livenessProbe", "startupProbe" }.ToDictionary(p => p, p => (YamlMappingNode)app[p]["httpGet"]);
        Assert.Equal("/app-health/app/readyz", Scalar(probes["readinessProbe"]["path"]));
        Assert.Equal("/app-health/app/livez", Scalar(probes["livenessProbe"]["path"]));
        Assert.Equal("/app-health/app/startupz", Scalar(probes["startupProbe"]["path"]));

        // Healthy: every rewritten probe passes.
        foreach (var (name, probe) in probes)
        {
            var answer = await KubeletAsync(node, pod.Ip, probe);
            Assert.True(answer.Status is >= 200 and < 400, $"{name} {Scalar(probe["path"])}: {answer.Status} {answer.BodyText}\n{proxy.Output}");
        }

        Assert.Equal("readiness", Assert.Single(web.Requests).Headers["X-Probe"]);

        // Unhealthy: each fails, with the app's status for HTTP and 500 for tcp and grpc.
        web.Status = 503;
        Assert.Equal(503, (await KubeletAsync(node, pod.Ip, probes["readinessProbe"])).Status);
        tcp.Dispose();
        Assert.Equal(500, (await KubeletAsync(node, pod.Ip, probes["livenessProbe"])).Status);
        grpc.Health.SetStatus("", HealthCheckResponse.Types.ServingStatus.NotServing);
        Assert.Equal(500, (await KubeletAsync(node, pod.Ip, probes["startupProbe"])).Status);
        await grpc.DisposeAsync();
        Assert.Equal(500, (await KubeletAsync(node, pod.Ip, probes["startupProbe"])).Status);

        // And healthy again.
        web.Status = 200;
        Assert.Equal(200, (await KubeletAsync(node, pod.Ip, probes["readinessProbe"])).Status);
    }

    /// <summary>The kubelet's GET for a rewritten probe: its port and path on the pod IP, its httpHeaders.</summary>
    private static Task<RawHttpResponse> KubeletAsync(TestPod node, IPAddress podIp, YamlMappingNode httpGet)
    {
        var port = Number(httpGet["port"]);
        Assert.Equal(15021u, port);
        var headers = httpGet.Children.TryGetValue("httpHeaders", out var list)
            ? ((YamlSequenceNode)list).Cast<YamlMappingNode>().Select(h => (Scalar(h["name"]), Scalar(h["value"]))).ToArray()
            : [];
        return AppProbeTests.KubeletGetAsync(node, podIp, Scalar(httpGet["path"]), headers);
    }

    /// <summary>What the kubelet puts in a downward-API variable.</summary>
    private static string Downward(string fieldPath, IPAddress podIp) => fieldPath switch
    {
        "metadata.name" => PodName,
        "metadata.namespace" => "default",
        "status.podIP" => podIp.ToString(),
        "spec.serviceAccountName" => "default",
        _ => throw new InvalidOperationException($"the test does not know the downward-API field {fieldPath}"),
    };

    private static YamlMappingNode Root(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static YamlMappingNode Container(YamlMappingNode spec, string list, string name) =>
        ((YamlSequenceNode)spec[list]).Cast<YamlMappingNode>().Single(c => Scalar(c["name"]) == name);

    private static string[] Strings(YamlNode node) => [.. ((YamlSequenceNode)node).Select(Scalar)];

    private static string Scalar(YamlNode node) => ((YamlScalarNode)node).Value ?? "";

    private static uint Number(YamlNode node) => uint.Parse(Scalar(node), CultureInfo.InvariantCulture);
}
