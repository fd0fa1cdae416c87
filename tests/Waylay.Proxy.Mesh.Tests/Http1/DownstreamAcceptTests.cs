using System.Net;
using System.Text.Json;
using Waylay.Proxy.Mesh.Tests.Lab;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Mesh.Tests.Http1;

/// <summary>
/// Downstream connections accepted with accept4(2) into a bare descriptor (Listeners/ProxyListener.cs), no .NET Socket,
/// through the real sidecar: the client's address read by the accept itself is the plain one for IPv4 and IPv6 clients
/// of the dual-mode listener, in /connections and in the access log; every descriptor is closed once its client goes
/// (counted in /proc/PID/fd); and an accept that runs out of descriptors recovers once some are free.
/// </summary>
public sealed class DownstreamAcceptTests
{
    private const ushort AppPort = 9080;
    private static readonly IPAddress PodIp = IPAddress.Parse("10.244.1.2");
    private static readonly IPAddress PeerIp = IPAddress.Parse("10.244.1.1");
    private static readonly IPAddress PodIp6 = IPAddress.Parse("fd00:244:1::2");
    private static readonly IPAddress PeerIp6 = IPAddress.Parse("fd00:244:1::1");

    [NetnsFact]
    public async Task DualModeListener_Ipv4AndIpv6Clients_ShowTheirPlainAddress_AndTheirDescriptorsCloseWhenTheyGo()
    {
        await using var lab = await InboundLab.StartAsync(accessLog: true);

        // Warm: the inbound pool's upstream connections to the app (v4 and v6 loopback) are open before counting.
        foreach (var (peer, path) in new[] { (PodIp, "/warm-v4"), (PodIp6, "/warm-v6") })
        {
            using var warm = await lab.ConnectAsync(peer);
            Assert.Equal(200, (await warm.GetAsync(path)).Status);
        }

        await lab.WaitNoDownstreamAsync();
        var before = lab.Proxy.OpenFileCount();

        using (var v4 = await lab.ConnectAsync(PodIp))
        using (var v6 = await lab.ConnectAsync(PodIp6))
        {
            Assert.Equal(200, (await v4.GetAsync("/from-v4")).Status);
            Assert.Equal(200, (await v6.GetAsync("/from-v6")).Status);

            // Both held (keep-alive): each row names its client as the client itself sees its own address.
            var rows = JsonDocument.Parse((await lab.Proxy.GetAsync("/connections")).Body).RootElement.EnumerateArray()
                .Where(r => r.GetProperty("direction").GetString() == "inbound").Select(r => r.GetProperty("downstreamRemote").GetString()).ToList();
            Assert.Equal(2, rows.Count);
            Assert.Contains($"{PeerIp}:{v4.LocalPort()}", rows);
            Assert.Contains($"[{PeerIp6}]:{v6.LocalPort()}", rows);

            Assert.Equal($"{PeerIp}:{v4.LocalPort()}", await lab.LoggedClientAsync("/from-v4"));
            Assert.Equal($"[{PeerIp6}]:{v6.LocalPort()}", await lab.LoggedClientAsync("/from-v6"));
        }

        // Forty more, each opened, served and closed: a descriptor kept per connection would show here forty times.
        for (var i = 0; i < 40; i++)
        {
            using var client = await lab.ConnectAsync(i % 2 == 0 ? PodIp : PodIp6);
            Assert.Equal(200, (await client.GetAsync($"/cycle/{i}")).Status);
        }

        await lab.WaitNoDownstreamAsync();
        var after = lab.Proxy.OpenFileCount();
        Assert.True(after <= before + 2, $"the proxy held {before} descriptors before 42 downstream connections came and went, {after} after");
    }

    [NetnsFact]
    public async Task AcceptOutOfDescriptors_IsLoggedAndBackedOff_ThenTheQueuedConnectionIsServed()
    {
        // The proxy holds a few dozen descriptors of its own; clients that connect and say nothing hold one each while
        // it waits to sniff them. More clients than the limit: the last ones' handshakes complete in the kernel whether
        // or not the proxy can accept them, and they wait queued.
        const int Limit = 64;
        await using var lab = await InboundLab.StartAsync(accessLog: false, fileLimit: Limit);
        var idle = lab.Proxy.OpenSocketCount();
        var silent = new List<RawHttp>();
        try
        {
            for (var i = 0; i < Limit + 8; i++)
            {
                silent.Add(await lab.ConnectAsync(PodIp));
            }

            await Wait.UntilAsync(() => lab.Proxy.Output.Contains("failed: TooManyOpenSockets", StringComparison.Ordinal), "the proxy to log an accept that ran out of descriptors",
                lastSeen: () => lab.Proxy.Output);

            // Queued behind the ones that could not be accepted. Its request is sent once the silent ones' descriptors
            // are back: sent earlier, the proxy may accept it while still holding some of theirs, and then the call to
            // the app finds none left and is answered 503, rightly (CI saw that race).
            using var late = await lab.ConnectAsync(PodIp);
            silent.ForEach(s => s.Dispose());
            silent.Clear();
            await Wait.UntilAsync(() => lab.Proxy.OpenSocketCount() <= idle + 1, "the proxy to close the silent clients' sockets",
                lastSeen: () => $"{lab.Proxy.OpenSocketCount()} sockets open, {idle} before the silent clients came");
            Assert.Equal(200, (await late.GetAsync("/after-exhaustion")).Status);
        }
        finally
        {
            silent.ForEach(s => s.Dispose());
        }
    }

    /// <summary>A pod with IPv4 and IPv6 addresses, its inbound captured, an app on [::]:9080, and a peer to call it from.</summary>
    private sealed class InboundLab : IAsyncDisposable
    {
        private readonly TestPod _pod;
        private readonly TestPod _peer;
        private readonly TestHttpServer _app;
        private readonly TestFile? _accessLog;

        private InboundLab(TestPod pod, TestPod peer, TestHttpServer app, TestFile? accessLog)
        {
            _pod = pod;
            _peer = peer;
            _app = app;
            _accessLog = accessLog;
        }

        public TestProxy Proxy { get; private init; } = null!;

        public static async Task<InboundLab> StartAsync(bool accessLog, int? fileLimit = null)
        {
            var (pod, peer) = await TestPod.CreatePairAsync($"{PodIp}/24", $"{PeerIp}/24");
            TestHttpServer? app = null;
            var log = accessLog ? TestFile.Log("access") : null;
            try
            {
                await pod.Namespace.AddAddressAsync("eth0", $"{PodIp6}/64");
                await peer.Namespace.AddAddressAsync("eth0", $"{PeerIp6}/64");
                await pod.CaptureAsync([.. TestPod.StandardCapture, "--ipv6"]);
                app = await TestHttpServer.StartAsync(pod.Namespace, new IPEndPoint(IPAddress.IPv6Any, AppPort), "app");

                // Silent clients stay sniffed (not relayed as TCP) for the test's whole life.
                string[] arguments = ["--protocol-detection-timeout", "5m"];
                string[] logged = log is null ? arguments : [.. arguments, "--access-log-file", log.Path, "--access-log-format", "json"];
                var proxy = fileLimit is { } limit ? await TestProxy.StartWithFileLimitAsync(pod.Namespace, limit, logged) : await pod.StartProxyAsync(logged);

                return new InboundLab(pod, peer, app, log) { Proxy = proxy };
            }
            catch
            {
                if (app is not null)
                {
                    await app.DisposeAsync();
                }

                log?.Dispose();
                await pod.DisposeAsync();
                await peer.DisposeAsync();
                throw;
            }
        }

        /// <summary>An HTTP/1 client on the peer (not captured) to the pod's app port: the pod's inbound capture takes it.</summary>
        public async Task<RawHttp> ConnectAsync(IPAddress pod) => new(await _peer.ConnectAsync(new IPEndPoint(pod, AppPort), uid: 0));

        public Task WaitNoDownstreamAsync() =>
            Wait.UntilAsync(async () => await Proxy.MetricAsync("waylay_downstream_cx_active", "listener=\"inbound\"") == 0, "every downstream connection to be closed");

        /// <summary>The access log's client (downstream_remote_address) of the request for <paramref name="path"/>.</summary>
        public async Task<string?> LoggedClientAsync(string path)
        {
            var line = await AccessLogs.LineForAsync(_accessLog!, path);
            return JsonDocument.Parse(line.Raw).RootElement.GetProperty("downstream_remote_address").GetString();
        }

        public async ValueTask DisposeAsync()
        {
            await _app.DisposeAsync();
            _accessLog?.Dispose();
            await _pod.DisposeAsync();
            await _peer.DisposeAsync();
        }
    }
}

/// <summary>Test-side shorthands over <see cref="RawHttp"/>.</summary>
internal static class RawHttpRequests
{
    /// <summary>One keep-alive GET on the connection, its response read (10 s at most).</summary>
    public static async Task<RawHttpResponse> GetAsync(this RawHttp http, string path)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await http.SendAsync($"GET {path} HTTP/1.1\r\nHost: app\r\n\r\n", timeout.Token);
        return await http.ReadResponseAsync(timeout.Token);
    }

    /// <summary>The client's own port, as the proxy sees it.</summary>
    public static int LocalPort(this RawHttp http) => ((IPEndPoint)http.Socket.LocalEndPoint!).Port;
}
