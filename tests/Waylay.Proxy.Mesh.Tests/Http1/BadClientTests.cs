using System.Net;
using System.Text;
using Waylay.Proxy.Mesh.Tests.Lab;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Mesh.Tests.Http1;

/// <summary>
/// Envoy's HTTP/1 codec at the edge of the pod: a malformed request gets 400 and the connection is closed (the
/// request is never forwarded: a proxy and an app that disagree about framing is request smuggling), a head over the
/// limit gets 431 (Envoy's 60 KiB default), a head trickling in one byte at a time is still served, and a batch of
/// slow clients holds nothing up. Four app clients keep sending healthy requests throughout; none of them may fail.
/// </summary>
public sealed class BadClientTests
{
    private static readonly IPEndPoint Service = new(ServiceLab.ServiceIp, ServiceLab.Port);

    [NetnsFact]
    public async Task MalformedOversizedAndTrickledRequests_GetTheirAnswers_WhileHealthyTrafficIsUntouched()
    {
        await using var lab = await ServiceLab.StartAsync(rules: null);
        using var client = lab.Client();
        await using var load = Load.Start(client, () => new HttpRequestMessage(HttpMethod.Get, ServiceLab.Url("/healthy")));

        // 1. Malformed: whitespace before a field's colon; both Content-Length and Transfer-Encoding (smuggling);
        //    a bare LF. Each: 400, x-waylay-proxy-error, then the proxy closes.
        string[] malformed =
        [
            "GET /malformed/1 HTTP/1.1\r\nHost: reviews:9080\r\nBad Field : x\r\n\r\n",
            "POST /malformed/2 HTTP/1.1\r\nHost: reviews:9080\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "GET /malformed/3 HTTP/1.1\nHost: reviews:9080\n\n",
        ];
        foreach (var request in malformed)
        {
            using var http = new RawHttp(await lab.Pod.ConnectAsync(Service));
            await http.SendAsync(request);
            var response = await http.ReadResponseAsync();
            Assert.True(response.Status == 400, $"{request.Split('\n')[0]} answered {response.Status}, expected 400");
            Assert.False(string.IsNullOrEmpty(response.Field("x-waylay-proxy-error")), "a synthetic 400 carries x-waylay-proxy-error");
            Assert.True(await http.ClosedByPeerAsync(), "the proxy closes a connection after a malformed request");
        }

        Assert.DoesNotContain(lab.Endpoints, e => e.Served.Any(r => r.PathAndQuery.StartsWith("/malformed", StringComparison.Ordinal)));

        // 2. A head of 80 KiB: 431 (before the app is bothered).
        using (var http = new RawHttp(await lab.Pod.ConnectAsync(Service)))
        {
            try
            {
                await http.SendAsync($"GET /huge HTTP/1.1\r\nHost: reviews:9080\r\nX-Huge: {new string('a', 80 * 1024)}\r\n\r\n");
            }
            catch (System.Net.Sockets.SocketException)
            {
                // The proxy may answer and close as soon as the limit is passed, before the rest is sent: allowed.
            }

            var response = await http.ReadResponseAsync();
            Assert.Equal(431, response.Status);
            Assert.DoesNotContain(lab.Endpoints, e => e.Served.Any(r => r.PathAndQuery == "/huge"));
        }

        // 3. One head trickled a byte at a time, then a second request on the same connection: both served.
        using (var http = new RawHttp(await lab.Pod.ConnectAsync(Service)))
        {
            foreach (var b in Encoding.ASCII.GetBytes("GET /trickle HTTP/1.1\r\nHost: reviews:9080\r\nUser-Agent: slow\r\n\r\n"))
            {
                await http.SendAsync(new[] { b });
                await Task.Delay(10);
            }

            var first = await http.ReadResponseAsync();
            Assert.Equal(200, first.Status);
            Assert.Matches("^v[123]$", first.BodyText);
            await http.SendAsync("GET /after-trickle HTTP/1.1\r\nHost: reviews:9080\r\n\r\n");
            Assert.Equal(200, (await http.ReadResponseAsync()).Status);
        }

        // 4. Twenty slow clients at once, each mid-head for a while, all served in the end.
        var slow = await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            using var http = new RawHttp(await lab.Pod.ConnectAsync(Service));
            var head = Encoding.ASCII.GetBytes($"GET /slow/{i} HTTP/1.1\r\nHost: reviews:9080\r\n\r\n");
            for (var at = 0; at < head.Length; at += 4)
            {
                await http.SendAsync(head.AsMemory(at, Math.Min(4, head.Length - at)));
                await Task.Delay(20);
            }

            return (await http.ReadResponseAsync()).Status;
        }));
        Assert.All(slow, status => Assert.Equal(200, status));

        await load.StopAsync();
        Assert.Empty(load.Failures);
        Assert.True(load.Succeeded > 20, $"only {load.Succeeded} healthy requests ran alongside");
    }
}
