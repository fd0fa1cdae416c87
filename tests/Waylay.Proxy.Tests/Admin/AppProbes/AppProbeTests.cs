using System.Net;
using System.Net.Sockets;
using Grpc.Health.V1;
using Waylay.Proxy.Tests.Kernel;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Tests.Admin.AppProbes;

/// <summary>
/// The health port's <c>/app-health/…</c> for real: a pod (capture rules as injected, the sidecar as uid 1337 or, under
/// TPROXY, root with gid 1337) with apps bound only to the pod IP or only to 127.0.0.1, and the kubelet's GET from the
/// node's side of the veth. An app bound to the pod IP alone answers only a probe that capture left alone: redirected
/// to the inbound listener it would go to 127.0.0.1 and be refused.
/// </summary>
public sealed class AppProbeTests
{
    // Every prober but "slow" has a timeout far above what it needs: the test runs beside every other test assembly,
    // and a first TLS handshake on a busy machine can take longer than the kubelet's default second. Only "slow"
    // is about the timeout.
    private const string Probers = """
        {"/app-health/web/readyz":{"httpGet":{"path":"/ready","port":8080,"httpHeaders":[{"name":"X-Probe","value":"readiness"}]},"timeoutSeconds":10},
         "/app-health/web/livez":{"httpGet":{"path":"/live","port":8081},"originalPort":"local","timeoutSeconds":10},
         "/app-health/web/startupz":{"httpGet":{"path":"/start","port":8443,"scheme":"HTTPS"},"timeoutSeconds":10},
         "/app-health/redirect/readyz":{"httpGet":{"path":"/redirect-here","port":8080},"timeoutSeconds":10},
         "/app-health/redirect/livez":{"httpGet":{"path":"/redirect-elsewhere","port":8080},"timeoutSeconds":10},
         "/app-health/db/livez":{"tcpSocket":{"port":7000},"timeoutSeconds":10},
         "/app-health/db/readyz":{"tcpSocket":{"port":7001},"timeoutSeconds":10},
         "/app-health/api/readyz":{"grpc":{"port":9090},"timeoutSeconds":10},
         "/app-health/api/livez":{"grpc":{"port":9090,"service":"api"},"timeoutSeconds":10},
         "/app-health/slow/readyz":{"tcpSocket":{"port":7002},"timeoutSeconds":1}}
        """;

    [NetnsTheory]
    [InlineData("REDIRECT")]
    [InlineData("TPROXY")]
    public async Task RewrittenProbes_RunTheOriginalsAgainstTheApp_AndAnswerWithTheirOutcome(string mode)
    {
        var (pod, node) = await TestPod.CreatePairAsync("10.244.1.2/24", "10.244.1.1/24");
        await using var _ = pod;
        await using var __ = node;
        await pod.CaptureAsync(["-p", "15001", "-z", "15006", "-u", "1337", "-m", mode, "-i", "*", "-b", "*", "-d", "15090,15021,15020"]);

        await using var web = await ProbeApp.HttpAsync(pod.Namespace, new IPEndPoint(pod.Ip, 8080));
        await using var local = await ProbeApp.HttpAsync(pod.Namespace, new IPEndPoint(IPAddress.Loopback, 8081));
        await using var secure = await ProbeApp.HttpsAsync(pod.Namespace, new IPEndPoint(pod.Ip, 8443));
        await using var grpc = await ProbeApp.GrpcAsync(pod.Namespace, new IPEndPoint(pod.Ip, 9090));
        using var db = pod.Serve(new IPEndPoint(pod.Ip, 7000), TestServer.Echo);
        using var dbLocal = pod.Serve(new IPEndPoint(IPAddress.Loopback, 7001), TestServer.Echo);
        using var slow = pod.Namespace.Listen(new IPEndPoint(pod.Ip, 7002), backlog: 0);
        using var filler = await FillBacklogAsync(pod, new IPEndPoint(pod.Ip, 7002));

        var environment = new Dictionary<string, string> { ["WAYLAY_KUBE_APP_PROBERS"] = Probers, ["INSTANCE_IP"] = pod.Ip.ToString() };
        var proxy = mode == "TPROXY"
            ? await TestProxy.StartContainerAsync(pod.Namespace, ["proxy", "--tproxy"], environment, uid: 0, gid: TestProxy.Uid)
            : await TestProxy.StartContainerAsync(pod.Namespace, ["proxy"], environment);

        // httpGet, app on the pod IP only: its status, the kubelet's fields passed on, Host turned to the app's port.
        var ready = await ExpectAsync(200, node, pod.Ip, "/app-health/web/readyz", ("X-Probe", "readiness"));
        Assert.Equal("status 200", ready.BodyText);
        var seen = Assert.Single(web.Requests);
        Assert.Equal(IPAddress.Parse("127.0.0.6"), seen.Client);
        Assert.Equal("readiness", seen.Headers["X-Probe"]);
        Assert.Equal("kube-probe/1.31", seen.Headers["User-Agent"]);
        Assert.Equal($"{pod.Ip}:8080", seen.Headers["Host"]);

        web.Status = 503;
        await ExpectAsync(503, node, pod.Ip, "/app-health/web/readyz");
        web.Status = 200;

        // httpGet, app on 127.0.0.1 only: nothing on the pod IP, so the loopback address.
        await ExpectAsync(200, node, pod.Ip, "/app-health/web/livez");
        local.Status = 500;
        await ExpectAsync(500, node, pod.Ip, "/app-health/web/livez");

        // HTTPS with a self-signed certificate: not verified, as the kubelet does not.
        await ExpectAsync(200, node, pod.Ip, "/app-health/web/startupz");
        secure.Status = 418;
        await ExpectAsync(418, node, pod.Ip, "/app-health/web/startupz");

        // Redirects: followed on the same host; a redirect elsewhere counts as success, as for the kubelet.
        web.Status = 503;
        await ExpectAsync(503, node, pod.Ip, "/app-health/redirect/readyz");
        await ExpectAsync(200, node, pod.Ip, "/app-health/redirect/livez");
        Assert.Contains(web.Requests, r => r.Path == "/ready" && r.Headers["Host"] == $"{pod.Ip}:8080");

        // tcpSocket: 200 while something accepts (pod IP or loopback), 500 when nothing does.
        await ExpectAsync(200, node, pod.Ip, "/app-health/db/livez");
        await Wait.UntilAsync(() => Task.FromResult(!db.Clients.IsEmpty), "the tcp probe to reach the app");
        Assert.Equal(IPAddress.Parse("127.0.0.6"), db.Clients.First().Address);
        await ExpectAsync(200, node, pod.Ip, "/app-health/db/readyz");
        db.Dispose();
        var down = await ExpectAsync(500, node, pod.Ip, "/app-health/db/livez");
        Assert.Contains("tcp :7000", down.BodyText);

        // grpc: SERVING is 200; NOT_SERVING, an unknown service, or no server at all is 500.
        await ExpectAsync(200, node, pod.Ip, "/app-health/api/readyz");
        var unknown = await ExpectAsync(500, node, pod.Ip, "/app-health/api/livez");
        Assert.Contains("NotFound", unknown.BodyText);
        grpc.Health.SetStatus("api", HealthCheckResponse.Types.ServingStatus.Serving);
        await ExpectAsync(200, node, pod.Ip, "/app-health/api/livez");
        grpc.Health.SetStatus("", HealthCheckResponse.Types.ServingStatus.NotServing);
        var notServing = await ExpectAsync(500, node, pod.Ip, "/app-health/api/readyz");
        Assert.Contains("NotServing", notServing.BodyText);
        await grpc.DisposeAsync();
        await ExpectAsync(500, node, pod.Ip, "/app-health/api/livez");

        // Bounded by timeoutSeconds: a port whose backlog is full never completes the handshake.
        var timedOut = await ExpectAsync(500, node, pod.Ip, "/app-health/slow/readyz");
        Assert.Contains("timeout", timedOut.BodyText);

        // A path with no prober: 400 naming it (pilot-agent's answer), and the proxy's own readiness is untouched.
        var missing = await ExpectAsync(400, node, pod.Ip, "/app-health/nope/readyz");
        Assert.Contains("/app-health/nope/readyz", missing.BodyText);
        await ExpectAsync(200, node, pod.Ip, "/healthz/ready");
        Assert.False(proxy.Process.HasExited, proxy.Output);
    }

    /// <summary>The kubelet's GET, asserting its status; a mismatch shows what the proxy said, so a failure tells why.</summary>
    private static async Task<RawHttpResponse> ExpectAsync(int status, TestPod node, IPAddress podIp, string path, params (string Name, string Value)[] fields)
    {
        var response = await KubeletGetAsync(node, podIp, path, fields);
        Assert.True(response.Status == status, $"GET {path}: expected {status}, the proxy answered {response.Status}: {response.BodyText}");
        return response;
    }

    /// <summary>The kubelet's GET: from the node (the other end of the veth) to pod-IP:15021, its usual fields.</summary>
    internal static async Task<RawHttpResponse> KubeletGetAsync(TestPod node, IPAddress podIp, string path, params (string Name, string Value)[] fields)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var socket = node.Namespace.Socket(podIp.AddressFamily);
        using var http = new RawHttp(socket);
        await socket.ConnectAsync(new IPEndPoint(podIp, 15021), timeout.Token);
        var extra = string.Concat(fields.Select(f => $"{f.Name}: {f.Value}\r\n"));
        await http.SendAsync($"GET {path} HTTP/1.1\r\nHost: {podIp}:15021\r\nUser-Agent: kube-probe/1.31\r\nAccept: */*\r\n{extra}Connection: close\r\n\r\n", timeout.Token);
        return await http.ReadResponseAsync(timeout.Token);
    }

    /// <summary>Connections that fill a listener's backlog (0 = one pending), so the next handshake is never answered.</summary>
    private static async Task<DisposableSockets> FillBacklogAsync(TestPod pod, IPEndPoint endPoint)
    {
        var sockets = new DisposableSockets();
        for (var i = 0; i < 4; i++)
        {
            var socket = pod.Namespace.Socket(endPoint.AddressFamily);
            sockets.Add(socket);
            using var attempt = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            try
            {
                await socket.ConnectAsync(endPoint, attempt.Token);
            }
            catch (OperationCanceledException)
            {
                break; // the backlog is full: this handshake hangs, as the probe's will
            }
        }

        return sockets;
    }

    private sealed class DisposableSockets : List<Socket>, IDisposable
    {
        public void Dispose()
        {
            foreach (var socket in this)
            {
                socket.Dispose();
            }
        }
    }
}
