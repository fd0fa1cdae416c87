using Waylay.Proxy.Http.Http1;
using Xunit;

namespace Waylay.Proxy.Http.Tests.Http1;

public sealed class ResponseParserTests
{
    private static (Http1ParseStatus Status, Http1Error Error, Http1ResponseHead Head) Parse(string wire, string method = "GET")
    {
        var parser = new Http1ResponseParser();
        var status = parser.TryParse(Bytes.Sequence(wire), method, out _, out _, out var error);
        return (status, error, parser.Head);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n", "GET", BodyFraming.ContentLength, true)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "GET", BodyFraming.Chunked, true)]
    [InlineData("HTTP/1.1 200 OK\r\n\r\n", "GET", BodyFraming.UntilClose, false)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n", "HEAD", BodyFraming.None, true)]
    [InlineData("HTTP/1.1 204 No Content\r\n\r\n", "GET", BodyFraming.None, true)]
    [InlineData("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", "GET", BodyFraming.None, true)]
    [InlineData("HTTP/1.1 100 Continue\r\n\r\n", "POST", BodyFraming.None, true)]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n", "GET", BodyFraming.Tunnel, false)]
    [InlineData("HTTP/1.1 200 Connection established\r\n\r\n", "CONNECT", BodyFraming.Tunnel, false)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", "GET", BodyFraming.None, true)]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n", "GET", BodyFraming.ContentLength, false)]
    [InlineData("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\n", "GET", BodyFraming.ContentLength, true)]
    [InlineData("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\n", "GET", BodyFraming.ContentLength, false)]
    [InlineData("HTTP/1.1 200\r\nContent-Length: 1\r\n\r\n", "GET", BodyFraming.ContentLength, true)]
    public void Framing_FollowsRfc9112(string wire, string method, BodyFraming framing, bool keepAlive)
    {
        var (status, error, head) = Parse(wire, method);
        Assert.Equal(Http1Error.None, error);
        Assert.Equal(Http1ParseStatus.Complete, status);
        Assert.Equal(framing, head.Framing);
        Assert.Equal(keepAlive, head.KeepAlive);
    }

    [Fact]
    public void Interim_IsRecognised()
    {
        Assert.True(Parse("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n").Head.IsInterim);
        Assert.False(Parse("HTTP/1.1 101 Switching Protocols\r\n\r\n").Head.IsInterim);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", Http1Error.ContentLengthWithTransferEncoding)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", Http1Error.DifferingContentLengths)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", Http1Error.InvalidTransferEncoding)]
    [InlineData("HTTP/1.1 2000 OK\r\n\r\n", Http1Error.InvalidStatusLine)]
    [InlineData("HTTP/1.1 20 OK\r\n\r\n", Http1Error.InvalidStatusLine)]
    [InlineData("HTTP/2 200 OK\r\n\r\n", Http1Error.InvalidStatusLine)]
    [InlineData("HTTP/1.1 099 Low\r\n\r\n", Http1Error.InvalidStatusLine)]
    [InlineData("HTTP/1.1 200 O\u0001K\r\n\r\n", Http1Error.InvalidStatusLine)]
    [InlineData("HTTP/1.1 200 OK\r\nSet-Cookie: a\nX: b\r\n\r\n", Http1Error.BareLineFeed)]
    [InlineData("HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n", Http1Error.ObsoleteLineFolding)]
    [InlineData("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", Http1Error.TransferEncodingInHttp10)]
    public void AmbiguousResponse_IsRefusedAs502(string wire, Http1Error expected)
    {
        var (status, error, _) = Parse(wire);
        Assert.Equal(Http1ParseStatus.Error, status);
        Assert.Equal(expected, error);
        Assert.Equal(502, error.StatusCode(upstream: true));
    }

    [Fact]
    public void StatusCode_AndFieldsAreRead()
    {
        var (_, _, head) = Parse("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nServer: x\r\n\r\n");
        Assert.Equal(503, head.StatusCode);
        Assert.Equal("x", head.GetField("server"));
    }
}
