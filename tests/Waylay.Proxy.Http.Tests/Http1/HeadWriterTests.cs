using System.Buffers;
using System.Text;
using Waylay.Mesh.Networking;
using Waylay.Proxy.Http.Http1;
using Waylay.Proxy.Routing;
using Xunit;

namespace Waylay.Proxy.Http.Tests.Http1;

public sealed class HeadWriterTests
{
    private static Http1RequestHead Request(string wire)
    {
        var parser = new Http1RequestParser();
        Assert.Equal(Http1ParseStatus.Complete, parser.TryParse(Bytes.Sequence(wire), out _, out _, out var error));
        Assert.Equal(Http1Error.None, error);
        return parser.Head;
    }

    private static string Write(Http1RequestHead head, string? path = null, HeaderEdits? edits = null, KeyValuePair<string, string>[]? extra = null, bool keepAlive = true)
    {
        var output = new ArrayBufferWriter<byte>();
        Http1HeadWriter.WriteRequest(output, head, path ?? head.PathAndQuery, edits ?? HeaderEdits.None, extra ?? [], "reviews:9080", keepAlive);
        return Encoding.Latin1.GetString(output.WrittenSpan);
    }

    [Fact]
    public void Request_DropsHopByHopAndReceivedFraming_WritesItsOwn()
    {
        var text = Write(Request("POST /r HTTP/1.1\r\nHost: reviews\r\nConnection: keep-alive, x-hop\r\nX-Hop: 1\r\nKeep-Alive: 5\r\nTE: trailers\r\nContent-Length: 3, 3\r\nX-App: yes\r\n\r\n"));
        Assert.Equal("POST /r HTTP/1.1\r\nHost: reviews\r\nX-App: yes\r\ncontent-length: 3\r\n\r\n", text);
    }

    [Fact]
    public void Request_Chunked_IsAnnouncedOnce()
    {
        var text = Write(Request("PUT /r HTTP/1.1\r\nTransfer-Encoding: chunked\r\nHost: a\r\n\r\n"));
        Assert.Equal("PUT /r HTTP/1.1\r\nHost: a\r\ntransfer-encoding: chunked\r\n\r\n", text);
    }

    [Fact]
    public void AbsoluteForm_BecomesOriginForm_WithHostFromTheTarget()
    {
        var text = Write(Request("GET http://reviews:9080/a?b HTTP/1.1\r\nHost: elsewhere\r\nX: 1\r\n\r\n"));
        Assert.Equal("GET /a?b HTTP/1.1\r\nhost: reviews:9080\r\nX: 1\r\n\r\n", text);
    }

    [Fact]
    public void Http10WithoutHost_GetsTheDefaultAuthority_AndSpeaks11Upstream()
    {
        var text = Write(Request("GET / HTTP/1.0\r\n\r\n"), keepAlive: false);
        Assert.Equal("GET / HTTP/1.1\r\nhost: reviews:9080\r\nconnection: close\r\n\r\n", text);
    }

    [Fact]
    public void Upgrade_IsForwardedAsAnUpgrade()
    {
        var text = Write(Request("GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: k\r\n\r\n"));
        Assert.Equal("GET /ws HTTP/1.1\r\nHost: a\r\nSec-WebSocket-Key: k\r\nconnection: upgrade\r\nupgrade: websocket\r\n\r\n", text);
    }

    [Fact]
    public void AHeadLongerThanOneBufferRequest_IsWrittenWhole_InOrder()
    {
        // 40 fields of 100 bytes and one of 5000: the writer is asked for room several times, nothing is lost or reordered.
        var fields = string.Concat(Enumerable.Range(0, 40).Select(i => $"X-F{i:00}: {new string((char)('a' + i % 26), 100)}\r\n"));
        var big = new string('z', 5000);
        var wire = $"GET /long HTTP/1.1\r\nHost: a\r\n{fields}X-Big: {big}\r\n\r\n";
        var text = Write(Request(wire), extra: [new("x-request-id", "r1")]);
        Assert.Equal($"GET /long HTTP/1.1\r\nHost: a\r\n{fields}X-Big: {big}\r\nx-request-id: r1\r\n\r\n", text);
    }

    [Fact]
    public void H2cUpgrade_IsDropped_TheRequestGoesOnAsHttp11_AsInEnvoy()
    {
        var head = Request("GET /x HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAA\r\nAccept: */*\r\n\r\n");
        Assert.Null(head.Upgrade);
        Assert.Equal("GET /x HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n", Write(head));
    }

    [Fact]
    public void RouteEditsAndProxyFields_AreApplied()
    {
        var edits = HeaderEdits.Flatten(
            new HeaderMutation([new("x-version", "v2")], [new("x-tag", "dest")], []),
            new HeaderMutation([], [new("x-tag", "route")], ["x-debug"]));
        var text = Write(
            Request("GET /r HTTP/1.1\r\nHost: a\r\nX-Version: v1\r\nX-Debug: on\r\nX-Tag: client\r\n\r\n"),
            "/v2/r", edits, [new("x-forwarded-for", "10.244.1.5"), new("x-request-id", "abc")]);
        Assert.Equal(
            "GET /v2/r HTTP/1.1\r\nHost: a\r\nX-Tag: client\r\nx-version: v2\r\nx-tag: dest\r\nx-tag: route\r\nx-forwarded-for: 10.244.1.5\r\nx-request-id: abc\r\n\r\n",
            text);
    }

    [Fact]
    public void WrittenRequest_ParsesBackToTheSameMessage()
    {
        var original = Request("POST http://r:1/p HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nA:  b \r\n\r\n");
        var again = Request(Write(original));
        Assert.Equal(("POST", "/p", BodyFraming.ContentLength, 2L, "r:1", "b"),
            (again.Method, again.PathAndQuery, again.Framing, again.ContentLength, Encoding.ASCII.GetString(again.Authority), again.GetField("a")));
    }

    [Fact]
    public void Response_KeepsReason_DropsHopByHop_AndClosesAfterUntilClose()
    {
        var parser = new Http1ResponseParser();
        Assert.Equal(Http1ParseStatus.Complete, parser.TryParse(Bytes.Sequence("HTTP/1.1 200 Fine\r\nConnection: keep-alive\r\nServer: app\r\n\r\n"), "GET", out _, out _, out _));
        var output = new ArrayBufferWriter<byte>();
        Http1HeadWriter.WriteResponse(output, parser.Head, HeaderEdits.None, [new("x-envoy-upstream-service-time", "3")]);
        Assert.Equal("HTTP/1.1 200 Fine\r\nServer: app\r\nx-envoy-upstream-service-time: 3\r\nconnection: close\r\n\r\n", Encoding.ASCII.GetString(output.WrittenSpan));
    }

    [Fact]
    public void Synthetic_CarriesTheProxyError()
    {
        var output = new ArrayBufferWriter<byte>();
        Http1HeadWriter.WriteSynthetic(output, Http1Error.ContentLengthWithTransferEncoding.StatusCode(), Http1Error.ContentLengthWithTransferEncoding.Code());
        Assert.Equal("HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nx-waylay-proxy-error: content-length-with-transfer-encoding\r\nconnection: close\r\n\r\n",
            Encoding.ASCII.GetString(output.WrittenSpan));
    }

    [Theory]
    // A keep-alive client reads an empty 404 to its end only by its Content-Length: 0 (without it, until close).
    [InlineData("GET", "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nDate: d\r\n\r\n", "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nDate: d\r\n\r\n")]
    // HEAD and 304: the length of the representation goes on; 204 and 1xx carry none.
    [InlineData("HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 178\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 178\r\n\r\n")]
    [InlineData("GET", "HTTP/1.1 304 Not Modified\r\nContent-Length: 178\r\n\r\n", "HTTP/1.1 304 Not Modified\r\nContent-Length: 178\r\n\r\n")]
    [InlineData("GET", "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n", "HTTP/1.1 204 No Content\r\n\r\n")]
    [InlineData("GET", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n", "HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\n")]
    public void Response_WithNoBodyToRelay_KeepsItsContentLength_ButNot204s(string method, string wire, string written)
    {
        var parser = new Http1ResponseParser();
        Assert.Equal(Http1ParseStatus.Complete, parser.TryParse(Bytes.Sequence(wire), method, out _, out _, out var error));
        Assert.Equal(Http1Error.None, error);
        var output = new ArrayBufferWriter<byte>();
        Http1HeadWriter.WriteResponse(output, parser.Head, HeaderEdits.None, []);
        Assert.Equal(written, Encoding.Latin1.GetString(output.WrittenSpan));
    }
}
