using System.Text;
using Waylay.Proxy.Http.Http1;
using Xunit;

namespace Waylay.Proxy.Http.Tests.Http1;

public sealed class RequestParserTests
{
    private static Http1RequestHead Parse(string wire, out Http1ParseStatus status, out Http1Error error, Http1Limits? limits = null)
    {
        var parser = new Http1RequestParser(limits);
        status = parser.TryParse(Bytes.Sequence(wire), out _, out _, out error);
        return parser.Head;
    }

    private static Http1RequestHead ParseOk(string wire)
    {
        var head = Parse(wire, out var status, out var error);
        Assert.Equal(Http1Error.None, error);
        Assert.Equal(Http1ParseStatus.Complete, status);
        return head;
    }

    [Fact]
    public void SimpleGet_ReadsMethodPathHostAndFields()
    {
        var head = ParseOk("GET /reviews/0?x=1 HTTP/1.1\r\nHost: reviews:9080\r\nUser-Agent: curl/8\r\nEnd-User:  jason \r\n\r\n");
        Assert.Equal("GET", head.Method);
        Assert.Equal("/reviews/0?x=1", head.PathAndQuery);
        Assert.Equal(RequestTargetForm.Origin, head.TargetForm);
        Assert.Equal(Http1Version.Http11, head.Version);
        Assert.Equal("reviews:9080", Encoding.ASCII.GetString(head.Authority));
        Assert.Equal(3, head.FieldCount);
        Assert.Equal("jason", head.GetField("end-user"));
        Assert.Equal(BodyFraming.None, head.Framing);
        Assert.True(head.KeepAlive);
        Assert.Null(head.Upgrade);
    }

    [Fact]
    public void RepeatedField_IsJoinedWithComma()
    {
        var head = ParseOk("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\nx-a: 2\r\n\r\n");
        Assert.Equal("1,2", head.GetField("x-a"));
        Assert.Null(head.GetField("x-b"));
    }

    [Fact]
    public void GetMethod_IsInterned()
    {
        var head = ParseOk("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Same("GET", head.Method);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n\r\n", true)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", false)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, CLOSE\r\n\r\n", false)]
    [InlineData("GET / HTTP/1.0\r\n\r\n", false)]
    [InlineData("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true)]
    [InlineData("GET / HTTP/1.0\r\nConnection: Keep-Alive, close\r\n\r\n", false)]
    public void KeepAlive_FollowsVersionAndConnection(string wire, bool keepAlive) => Assert.Equal(keepAlive, ParseOk(wire).KeepAlive);

    [Fact]
    public void Http10_NeedsNoHost() => Assert.Equal(Http1Version.Http10, ParseOk("GET / HTTP/1.0\r\n\r\n").Version);

    [Fact]
    public void WebSocketUpgrade_IsDetected()
    {
        var head = ParseOk("GET /chat HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: x\r\n\r\n");
        Assert.Equal("websocket", head.Upgrade);
    }

    [Fact]
    public void UpgradeWithoutConnectionToken_IsNotAnUpgrade() =>
        Assert.Null(ParseOk("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n").Upgrade);

    [Fact]
    public void HopByHop_IncludesFieldsNamedByConnection()
    {
        var head = ParseOk("GET / HTTP/1.1\r\nHost: a\r\nConnection: x-secret , close\r\nX-Secret: 1\r\nKeep-Alive: timeout=5\r\nX-Kept: 2\r\n\r\n");
        var hop = Enumerable.Range(0, head.FieldCount).Where(head.IsHopByHop).Select(i => Encoding.ASCII.GetString(head.FieldName(i))).ToList();
        Assert.Equal(["Connection", "X-Secret", "Keep-Alive"], hop);
    }

    [Fact]
    public void ForwardsAsIs_LeavesOutFramingAndHopByHop()
    {
        var head = ParseOk("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\nTE: trailers\r\nX-Kept: 1\r\nConnection: keep-alive\r\n\r\n");
        var kept = Enumerable.Range(0, head.FieldCount).Where(head.ForwardsAsIs).Select(i => Encoding.ASCII.GetString(head.FieldName(i))).ToList();
        Assert.Equal(["Host", "X-Kept"], kept);
    }

    [Fact]
    public void AbsoluteForm_AuthorityWinsOverHost()
    {
        var head = ParseOk("GET http://reviews.default:9080/r/1?q HTTP/1.1\r\nHost: elsewhere\r\n\r\n");
        Assert.Equal(RequestTargetForm.Absolute, head.TargetForm);
        Assert.Equal("http", head.Scheme);
        Assert.Equal("/r/1?q", head.PathAndQuery);
        Assert.Equal("reviews.default:9080", Encoding.ASCII.GetString(head.Authority));
    }

    [Theory]
    [InlineData("GET http://a HTTP/1.1\r\nHost: a\r\n\r\n", "/")]
    [InlineData("GET http://a?x=1 HTTP/1.1\r\nHost: a\r\n\r\n", "/?x=1")]
    public void AbsoluteForm_WithoutPath_IsSlash(string wire, string path) => Assert.Equal(path, ParseOk(wire).PathAndQuery);

    [Fact]
    public void Connect_IsAuthorityForm()
    {
        var head = ParseOk("CONNECT db.example:5432 HTTP/1.1\r\nHost: db.example:5432\r\n\r\n");
        Assert.True(head.IsConnect);
        Assert.Equal("db.example:5432", Encoding.ASCII.GetString(head.Authority));
    }

    [Fact]
    public void OptionsAsterisk_IsAccepted() => Assert.Equal(RequestTargetForm.Asterisk, ParseOk("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n").TargetForm);

    [Fact]
    public void LeadingEmptyLines_AreSkipped() => Assert.Equal("/x", ParseOk("\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n").PathAndQuery);

    [Fact]
    public void ContentLengthBody_IsFramed()
    {
        var head = ParseOk("POST /r HTTP/1.1\r\nHost: a\r\nContent-Length: 42\r\n\r\n");
        Assert.Equal(BodyFraming.ContentLength, head.Framing);
        Assert.Equal(42, head.ContentLength);
    }

    [Fact]
    public void IdenticalDuplicateContentLengths_AreOne()
    {
        var head = ParseOk("POST /r HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5, 5\r\n\r\n");
        Assert.Equal(5, head.ContentLength);
    }

    [Theory]
    [InlineData("chunked")]
    [InlineData("Chunked")]
    [InlineData(" CHUNKED ")]
    [InlineData(", chunked")]
    public void ChunkedRequest_IsFramedChunked(string value) =>
        Assert.Equal(BodyFraming.Chunked, ParseOk($"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: {value}\r\n\r\n").Framing);

    [Fact]
    public void Complete_ConsumesExactlyTheHead()
    {
        var parser = new Http1RequestParser();
        var wire = Bytes.Sequence("GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\n");
        Assert.Equal(Http1ParseStatus.Complete, parser.TryParse(wire, out var consumed, out var examined, out _));
        Assert.Equal(27, wire.Slice(0, consumed).Length);
        Assert.Equal(consumed, examined);
    }

    [Fact]
    public void IncompleteHead_NeedsMoreAndExaminedEverything()
    {
        var parser = new Http1RequestParser();
        var wire = Bytes.Sequence("GET / HTTP/1.1\r\nHost: a\r\n");
        Assert.Equal(Http1ParseStatus.NeedMoreData, parser.TryParse(wire, out var consumed, out var examined, out _));
        Assert.Equal(wire.Start, consumed);
        Assert.Equal(wire.End, examined);
    }

    [Fact]
    public void HeadOverLimit_Is431_EvenBeforeItEnds()
    {
        var limits = new Http1Limits(MaxHeadBytes: 100);
        Parse("GET / HTTP/1.1\r\nHost: a\r\nX: " + new string('a', 200), out var status, out var error, limits);
        Assert.Equal(Http1ParseStatus.Error, status);
        Assert.Equal(Http1Error.HeadTooLarge, error);
        Assert.Equal(431, error.StatusCode());
    }

    [Fact]
    public void HeadAtLimit_IsAccepted()
    {
        const string wire = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
        Parse(wire, out var status, out _, new Http1Limits(MaxHeadBytes: wire.Length));
        Assert.Equal(Http1ParseStatus.Complete, status);
        Parse(wire, out status, out var error, new Http1Limits(MaxHeadBytes: wire.Length - 1));
        Assert.Equal(Http1Error.HeadTooLarge, error);
    }

    [Fact]
    public void FieldsNearTheEndOfTheLargestHead_AreReadWhereTheyAre()
    {
        // Field offsets are kept as 16-bit numbers: a field whose value starts past 32 KiB and a head close to the
        // 60 KiB limit must read back exactly (a signed or narrower offset would point elsewhere).
        var big = new string('b', 40_000);
        var tail = new string('t', 19_000);
        var head = ParseOk($"GET / HTTP/1.1\r\nHost: a\r\nX-Big: {big}\r\nX-Tail: {tail}\r\nX-Last: end\r\n\r\n");
        Assert.Equal(4, head.FieldCount);
        Assert.Equal(big, Encoding.Latin1.GetString(head.FieldValue(1)));
        Assert.Equal(tail, Encoding.Latin1.GetString(head.FieldValue(2)));
        Assert.Equal("x-last", Encoding.Latin1.GetString(head.FieldName(3)).ToLowerInvariant());
        Assert.Equal("end", Encoding.Latin1.GetString(head.FieldValue(3)));
    }

    [Fact]
    public void LimitsBeyond16BitOffsets_AreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Http1Limits(MaxHeadBytes: 65_536));
        Assert.Equal(65_535, new Http1Limits(MaxHeadBytes: 65_535).MaxHeadBytes);
    }

    [Fact]
    public void TooManyFields_Is431()
    {
        var wire = "GET / HTTP/1.1\r\nHost: a\r\n" + string.Concat(Enumerable.Range(0, 5).Select(i => $"X-{i}: v\r\n")) + "\r\n";
        Parse(wire, out _, out var error, new Http1Limits(MaxFields: 5));
        Assert.Equal(Http1Error.TooManyHeaders, error);
        Assert.Equal(431, error.StatusCode());
    }

    [Fact]
    public void ObsTextInValue_IsAccepted() => Assert.Equal("caf\u00e9", ParseOk("GET / HTTP/1.1\r\nHost: a\r\nX: caf\u00e9\r\n\r\n").GetField("x"));

    [Fact]
    public void ParserIsReusable_AcrossMessages()
    {
        var parser = new Http1RequestParser();
        Assert.Equal(Http1ParseStatus.Error, parser.TryParse(Bytes.Sequence("GET / HTTP/1.1\nHost: a\r\n\r\n"), out _, out _, out _));
        Assert.Equal(Http1ParseStatus.Complete, parser.TryParse(Bytes.Sequence("PUT /p HTTP/1.1\r\nHost: b\r\n\r\n"), out _, out _, out _));
        Assert.Equal("PUT", parser.Head.Method);
        Assert.Equal("b", parser.Head.GetField("host"));
    }
}
