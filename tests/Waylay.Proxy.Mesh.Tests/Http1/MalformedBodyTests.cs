using System.Net;
using System.Net.Sockets;
using Waylay.Proxy.Mesh.Tests.Lab;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Mesh.Tests.Http1;

/// <summary>
/// A chunked request body that breaks its framing (issue 14: an invalid chunk size), outbound and inbound. Where the
/// bad line comes with the head, the request is refused before it goes anywhere: 400, closed, and the app never gets a
/// connection. Where it comes after the head went upstream, the client still gets 400 (no answer had begun), and the
/// app's connection is closed after the good part of the body, never given the bad line nor reused.
/// </summary>
public sealed class MalformedBodyTests
{
    private const string Raw = """
        - name: raw
          namespace: default
          addresses: [10.96.0.21]
          ports:
          - {name: http-web, port: 7002}
          endpoints:
          - {address: 10.244.1.11}

        """;

    private static readonly IPEndPoint RawService = new(IPAddress.Parse("10.96.0.21"), 7002);

    [NetnsFact]
    public async Task InvalidChunkSize_Outbound_WithTheHead_NeverReachesTheApp_Later_Is400AndTheAppConnectionCloses()
    {
        await using var lab = await ServiceLab.StartAsync(rules: null, versions: 1, accessLog: true, extraServices: Raw);
        var app = new RecordingApp();
        using var server = lab.Peer.Serve(new IPEndPoint(ServiceLab.EndpointIp(1), 7002), app.Behaviour);

        await WithTheHeadAsync(() => lab.Pod.ConnectAsync(RawService));
        Assert.Equal(0, server.Accepted);

        await MidStreamAsync(() => lab.Pod.ConnectAsync(RawService), app);
        Assert.Equal(1, server.Accepted);

        var first = await AccessLogs.LineForAsync(lab.AccessLog!, "/first");
        Assert.Equal(400, first.ResponseCode);
        Assert.Equal("DPE", first.ResponseFlags);
        var later = await AccessLogs.LineForAsync(lab.AccessLog!, "/later");
        Assert.Equal(400, later.ResponseCode);
        Assert.Equal("DPE", later.ResponseFlags);
    }

    [NetnsFact]
    public async Task InvalidChunkSize_Inbound_WithTheHead_NeverReachesTheApp_Later_Is400AndTheAppConnectionCloses()
    {
        await using var pair = await SidecarPair.StartAsync();
        var app = new RecordingApp();
        using var server = pair.Server.Serve(new IPEndPoint(IPAddress.IPv6Any, 9090), app.Behaviour);

        // The pod address on a port no service names: the client's sidecar passes it through, the server's sniffs it.
        var target = new IPEndPoint(pair.Server.Ip, 9090);
        await WithTheHeadAsync(() => pair.Client.ConnectAsync(target));
        Assert.Equal(0, server.Accepted);

        await MidStreamAsync(() => pair.Client.ConnectAsync(target), app);
        Assert.Equal(1, server.Accepted);
    }

    private static async Task WithTheHeadAsync(Func<Task<Socket>> connect)
    {
        using var http = new RawHttp(await connect());
        await http.SendAsync("POST /first HTTP/1.1\r\nHost: raw\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var response = await http.ReadResponseAsync(bound.Token);
        Assert.Equal(400, response.Status);
        Assert.Equal("invalid-chunk-size", response.Field("x-waylay-proxy-error"));
        Assert.Equal("close", response.Field("connection"));
        Assert.True(await http.ClosedByPeerAsync(), "the proxy closes the connection after a malformed body");
    }

    private static async Task MidStreamAsync(Func<Task<Socket>> connect, RecordingApp app)
    {
        using var http = new RawHttp(await connect());
        await http.SendAsync("POST /later HTTP/1.1\r\nHost: raw\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
        await Wait.UntilAsync(() => app.Received.Contains("hello", StringComparison.Ordinal), "the head and first chunk at the app",
            lastSeen: () => app.Received);

        await http.SendAsync("zz\r\n5\r\nworld\r\n0\r\n\r\n");
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var response = await http.ReadResponseAsync(bound.Token);
        Assert.Equal(400, response.Status);
        Assert.Equal("invalid-chunk-size", response.Field("x-waylay-proxy-error"));
        Assert.True(await http.ClosedByPeerAsync(), "the proxy closes the connection after a malformed body");

        await Wait.UntilAsync(() => app.Ended == 1, "the app's connection closed by the sidecar", lastSeen: () => app.Received);
        Assert.StartsWith("POST /later HTTP/1.1\r\n", app.Received, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n5\r\nhello\r\n", app.Received, StringComparison.Ordinal);
        Assert.DoesNotContain("world", app.Received, StringComparison.Ordinal);
    }
}
