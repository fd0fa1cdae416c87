using System.Net;
using System.Net.Sockets;
using System.Text;
using Waylay.Proxy.Mesh.Tests.Lab;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Mesh.Tests.Sniffing;

/// <summary>
/// Istio's protocol selection: undeclared ports are sniffed (Envoy's <c>http_inspector</c>), which must not break a
/// server-first protocol such as MySQL, whose client says nothing until the server's greeting: after
/// <c>protocolDetectionTimeout</c> (100 ms) the connection is relayed as TCP, outbound and inbound. Ports declared TCP
/// (<c>tcp-</c> prefix) are never sniffed: HTTP-looking bytes on them pass through untouched, where the same bytes on
/// an undeclared port are taken for HTTP. Ports declared HTTP are never relayed as TCP: what is not HTTP gets 400.
/// </summary>
public sealed class ProtocolDetectionTests
{
    private const string ExtraServices = """
        - name: db
          namespace: default
          addresses: [10.96.0.20]
          ports:
          - {name: db, port: 3306}
          endpoints:
          - {address: 10.244.1.11}
        - name: raw
          namespace: default
          addresses: [10.96.0.21]
          ports:
          - {name: tcp-raw, port: 7000}
          - {name: plain, port: 7001}
          - {name: http-web, port: 7002}
          endpoints:
          - {address: 10.244.1.11}

        """;

    // Malformed on purpose: HTTP-aware handling would answer 400; a byte relay hands it to the echo server as is.
    private const string HttpLooking = "GET /not-http-here HTTP/1.1\r\nHost: raw\r\nBad Field : x\r\n\r\n";

    /// <summary>A MySQL-like server: greets first, then answers each line it gets with "ok:" and the line.</summary>
    private static readonly Func<Socket, CancellationToken, Task> ServerFirst = async (socket, ct) =>
    {
        await socket.SendAsync(Encoding.ASCII.GetBytes("greeting: mysql-like 8.0\n"), SocketFlags.None, ct);
        var buffer = new byte[1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, ct)) > 0)
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes("ok:" + Encoding.ASCII.GetString(buffer, 0, read)), SocketFlags.None, ct);
        }

        socket.Shutdown(SocketShutdown.Send);
    };

    [NetnsFact]
    public async Task ServerFirstProtocol_OnAnUndeclaredServicePort_GreetingArrives_ThenAConversation()
    {
        await using var lab = await ServiceLab.StartAsync(rules: null, extraServices: ExtraServices);
        using var db = lab.Peer.Serve(new IPEndPoint(ServiceLab.EndpointIp(1), 3306), ServerFirst);

        await ConverseAsync(() => lab.Pod.ConnectAsync(new IPEndPoint(IPAddress.Parse("10.96.0.20"), 3306)));
        Assert.Equal(1, db.Accepted);

        // Counted as Istio counts opaque TCP: one connection opened and, once both sides closed, one closed.
        (string, string)[] labels = [("reporter", "source"), ("destination_service", "db.default.svc.cluster.local")];
        PrometheusScrape? scrape = null;
        await Wait.UntilAsync(async () =>
        {
            scrape = await PrometheusScrape.FetchAsync(lab.Pod.Namespace, 15000);
            return scrape.Sum("istio_tcp_connections_closed_total", labels) >= 1;
        }, "istio_tcp_connections_closed_total for db", lastSeen: () => Task.FromResult(scrape?.Family("istio_tcp") ?? ""));
        Assert.Equal(1, scrape!.Sum("istio_tcp_connections_opened_total", labels));
        Assert.Equal(1, scrape.Sum("istio_tcp_connections_closed_total", labels));
        Assert.Equal("greeting: mysql-like 8.0\nok:SELECT 1\n".Length, scrape.Sum("istio_tcp_sent_bytes_total", labels));
        Assert.Equal("SELECT 1\n".Length, scrape.Sum("istio_tcp_received_bytes_total", labels));
    }

    [NetnsFact]
    public async Task ServerFirstProtocol_ThroughBothSidecars_InboundSniffingGivesUpToo()
    {
        await using var pair = await SidecarPair.StartAsync();
        using var db = pair.Server.Serve(new IPEndPoint(IPAddress.IPv6Any, 3306), ServerFirst);

        // The pod address, port 3306: no service, so the client side passes it through; the server's sidecar sniffs it inbound.
        await ConverseAsync(() => pair.Client.ConnectAsync(new IPEndPoint(pair.Server.Ip, 3306)));
        Assert.Equal(1, db.Accepted);
        Assert.All(db.Clients, c => Assert.Equal(IPAddress.Loopback, c.Address));
    }

    [NetnsFact]
    public async Task TcpPrefixedPort_IsNotSniffed_HttpLookingBytesPassUntouched_WhereAnUndeclaredPortTakesThemForHttp()
    {
        await using var lab = await ServiceLab.StartAsync(rules: null, extraServices: ExtraServices);
        using var tcpPort = lab.Peer.Serve(new IPEndPoint(ServiceLab.EndpointIp(1), 7000), TestServer.Echo);
        using var plainPort = lab.Peer.Serve(new IPEndPoint(ServiceLab.EndpointIp(1), 7001), TestServer.Echo);

        using (var socket = await lab.Pod.ConnectAsync(new IPEndPoint(IPAddress.Parse("10.96.0.21"), 7000)))
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes(HttpLooking), SocketFlags.None);
            socket.Shutdown(SocketShutdown.Send);
            Assert.Equal(HttpLooking, Encoding.ASCII.GetString(await TestData.ReadToEndAsync(socket)));
        }

        // The same bytes to an undeclared port: sniffed as HTTP/1, refused by the proxy itself, never relayed.
        using (var http = new RawHttp(await lab.Pod.ConnectAsync(new IPEndPoint(IPAddress.Parse("10.96.0.21"), 7001))))
        {
            await http.SendAsync(HttpLooking);
            Assert.Equal(400, (await http.ReadResponseAsync()).Status);
        }

        Assert.Equal(0, plainPort.Accepted);

        // Binary bytes to the undeclared port are opaque at once: relayed and echoed.
        using (var socket = await lab.Pod.ConnectAsync(new IPEndPoint(IPAddress.Parse("10.96.0.21"), 7001)))
        {
            byte[] binary = [0x00, 0xFF, 0x10, 0x42, 0x00, 0x01, 0x7F, 0x80];
            await socket.SendAsync(binary, SocketFlags.None);
            socket.Shutdown(SocketShutdown.Send);
            Assert.Equal(binary, await TestData.ReadToEndAsync(socket));
        }
    }

    [NetnsFact]
    public async Task MalformedRequestLine_OnAnUndeclaredPort_AndNonHttpBytes_OnADeclaredHttpPort_Are400_NeverRelayed()
    {
        await using var lab = await ServiceLab.StartAsync(rules: null, extraServices: ExtraServices);
        using var plainPort = lab.Peer.Serve(new IPEndPoint(ServiceLab.EndpointIp(1), 7001), TestServer.Echo);
        using var httpPort = lab.Peer.Serve(new IPEndPoint(ServiceLab.EndpointIp(1), 7002), TestServer.Echo);

        // More than two spaces in the request line (RFC 9112 §3 gives it no meaning), sniffed on an undeclared port:
        // HTTP all the same, refused by the proxy, not relayed to an app whose parser might take it.
        await AssertRefusedAsync(() => lab.Pod.ConnectAsync(new IPEndPoint(IPAddress.Parse("10.96.0.21"), 7001)),
            "GET /a b HTTP/1.1\r\nHost: raw\r\n\r\n"u8.ToArray(), "bad-request-line");
        Assert.Equal(0, plainPort.Accepted);

        // A port declared HTTP (http-web) never becomes a tunnel: binary bytes and a TLS ClientHello get 400 at once.
        foreach (var bytes in new[] { Binary, ClientHelloStart })
        {
            await AssertRefusedAsync(() => lab.Pod.ConnectAsync(new IPEndPoint(IPAddress.Parse("10.96.0.21"), 7002)), bytes, "bad-request-line");
        }

        Assert.Equal(0, httpPort.Accepted);
    }

    [NetnsFact]
    public async Task MalformedRequestLine_AndNonHttpBytesOnADeclaredHttpPort_Inbound_Are400_NeverRelayed()
    {
        await using var pair = await SidecarPair.StartAsync();
        using var plain = pair.Server.Serve(new IPEndPoint(IPAddress.IPv6Any, 9091), TestServer.Echo);

        // To the pod address: the client's sidecar passes it through, the server's takes it inbound. 9091 is no
        // service's port (sniffed); 9080 is the reviews endpoint's port, named http (declared).
        await AssertRefusedAsync(() => pair.Client.ConnectAsync(new IPEndPoint(pair.Server.Ip, 9091)),
            "GET /a b HTTP/1.1\r\nHost: raw\r\n\r\n"u8.ToArray(), "bad-request-line");
        Assert.Equal(0, plain.Accepted);

        foreach (var bytes in new[] { Binary, ClientHelloStart })
        {
            await AssertRefusedAsync(() => pair.Client.ConnectAsync(new IPEndPoint(pair.Server.Ip, SidecarPair.Port)), bytes, "bad-request-line");
        }

        Assert.Equal(0, pair.App.Connections);

        // HTTP itself still passes the declared port.
        var ok = await RawHttp.GetAsync(pair.Client.Namespace, new IPEndPoint(pair.Server.Ip, SidecarPair.Port), "/declared");
        Assert.Equal(200, ok.Status);
    }

    private static readonly byte[] Binary = [0x00, 0xFF, 0x10, 0x42, 0x00, 0x01, 0x7F, 0x80];

    // The start of a TLS 1.2+ ClientHello record: handshake, version 3.1, length, type ClientHello.
    private static readonly byte[] ClientHelloStart = [0x16, 0x03, 0x01, 0x00, 0xF0, 0x01, 0x00, 0x00, 0xEC, 0x03, 0x03];

    private static async Task AssertRefusedAsync(Func<Task<Socket>> connect, byte[] bytes, string code)
    {
        using var http = new RawHttp(await connect());
        await http.SendAsync(bytes);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var response = await http.ReadResponseAsync(bound.Token);
        Assert.Equal(400, response.Status);
        Assert.Equal(code, response.Field("x-waylay-proxy-error"));
        Assert.Equal("close", response.Field("connection"));
        Assert.True(await http.ClosedByPeerAsync(), "the proxy closes the connection after refusing it");
    }

    [NetnsFact]
    public async Task PartialHeadThenHalfClose_IsNotWaitedOnForever_DeclaredHttpPortClosesIt_UndeclaredPortRelaysIt()
    {
        await using var lab = await ServiceLab.StartAsync(rules: null, extraServices: ExtraServices);
        using var plainPort = lab.Peer.Serve(new IPEndPoint(ServiceLab.EndpointIp(1), 7001), TestServer.Echo);
        using var httpPort = lab.Peer.Serve(new IPEndPoint(ServiceLab.EndpointIp(1), 7002), TestServer.Echo);
        const string Partial = "GET /partial HT";
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        // Declared HTTP (no detection timeout): an HTTP client gone mid-head; closed without an answer, as Envoy does.
        using (var socket = await lab.Pod.ConnectAsync(new IPEndPoint(IPAddress.Parse("10.96.0.21"), 7002)))
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes(Partial), SocketFlags.None);
            socket.Shutdown(SocketShutdown.Send);
            Assert.Empty(await TestData.ReadToEndAsync(socket, bound.Token));
        }

        Assert.Equal(0, httpPort.Accepted);

        // Undeclared: what little was sent is relayed as it is, with the FIN, before the detection timeout matters.
        using (var socket = await lab.Pod.ConnectAsync(new IPEndPoint(IPAddress.Parse("10.96.0.21"), 7001)))
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes(Partial), SocketFlags.None);
            socket.Shutdown(SocketShutdown.Send);
            Assert.Equal(Partial, Encoding.ASCII.GetString(await TestData.ReadToEndAsync(socket, bound.Token)));
        }
    }

    private static async Task ConverseAsync(Func<Task<Socket>> connect)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var socket = await connect();
        var greeting = await ReadLineAsync(socket, bound.Token);
        Assert.Equal("greeting: mysql-like 8.0", greeting);
        await socket.SendAsync(Encoding.ASCII.GetBytes("SELECT 1\n"), SocketFlags.None, bound.Token);
        Assert.Equal("ok:SELECT 1", await ReadLineAsync(socket, bound.Token));
    }

    private static async Task<string> ReadLineAsync(Socket socket, CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (await socket.ReceiveAsync(one, SocketFlags.None, cancellationToken) == 1 && one[0] != '\n')
        {
            line.Append((char)one[0]);
        }

        return line.ToString();
    }
}
