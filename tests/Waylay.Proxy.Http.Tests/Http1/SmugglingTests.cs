using Waylay.Proxy.Http.Http1;
using Xunit;

namespace Waylay.Proxy.Http.Tests.Http1;

/// <summary>
/// Requests that two HTTP/1 implementations could frame differently (PortSwigger's CL.TE, TE.CL and TE.TE classes,
/// the 2023–2025 chunk-line research, and RFC 9112's MUSTs): each must be refused with its own reason, before a
/// single byte reaches the app.
/// </summary>
public sealed class SmugglingTests
{
    public static TheoryData<string, string, Http1Error> Cases => new()
    {
        // :: CL.TE / TE.CL: both framings present
        { "CL.TE", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG", Http1Error.ContentLengthWithTransferEncoding },
        { "TE.CL", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n", Http1Error.ContentLengthWithTransferEncoding },
        { "CL zero with TE", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n", Http1Error.ContentLengthWithTransferEncoding },

        // :: TE.TE: obfuscated Transfer-Encoding one side would ignore
        { "TE xchunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n", Http1Error.InvalidTransferEncoding },
        { "TE chunked twice", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", Http1Error.InvalidTransferEncoding },
        { "TE chunked, identity", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n", Http1Error.InvalidTransferEncoding },
        { "TE quoted", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \"chunked\"\r\n\r\n", Http1Error.InvalidTransferEncoding },
        { "TE with parameter", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked;q=1\r\n\r\n", Http1Error.InvalidTransferEncoding },
        { "TE vertical tab", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\v\r\n\r\n", Http1Error.InvalidFieldValue },
        { "TE NUL", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\0\r\n\r\n", Http1Error.InvalidFieldValue },
        { "TE space before colon", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n", Http1Error.WhitespaceBeforeColon },
        { "TE tab before colon", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding\t: chunked\r\n\r\n", Http1Error.WhitespaceBeforeColon },
        { "TE obs-fold", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n chunked\r\n\r\n", Http1Error.ObsoleteLineFolding },
        { "TE empty", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \r\n\r\n", Http1Error.InvalidTransferEncoding },
        { "TE underscore", "POST / HTTP/1.1\r\nHost: a\r\nTransfer_Encoding: chunked\r\n\r\n", Http1Error.UnderscoreFramingField },
        { "TE in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", Http1Error.TransferEncodingInHttp10 },
        { "TE gzip last", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", Http1Error.InvalidTransferEncoding },
        { "TE gzip then chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", Http1Error.UnsupportedTransferCoding },

        // :: Content-Length variants
        { "CL differing", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", Http1Error.DifferingContentLengths },
        { "CL list differing", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\n", Http1Error.DifferingContentLengths },
        { "CL plus sign", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", Http1Error.InvalidContentLength },
        { "CL negative", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", Http1Error.InvalidContentLength },
        { "CL hex", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n", Http1Error.InvalidContentLength },
        { "CL inner space", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 0\r\n\r\n", Http1Error.InvalidContentLength },
        { "CL empty", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", Http1Error.InvalidContentLength },
        { "CL empty element", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5,\r\n\r\n", Http1Error.InvalidContentLength },
        { "CL overflow", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", Http1Error.InvalidContentLength },
        { "CL underscore", "POST / HTTP/1.1\r\nHost: a\r\nContent_Length: 5\r\n\r\n", Http1Error.UnderscoreFramingField },

        // :: line endings and bytes that end a field early
        { "bare LF in field", "GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n", Http1Error.BareLineFeed },
        { "bare LF request line", "GET / HTTP/1.1\nHost: a\r\n\r\n", Http1Error.BareLineFeed },
        { "bare LF end of head", "GET / HTTP/1.1\r\nHost: a\r\n\n", Http1Error.BareLineFeed },
        { "bare CR in value", "GET / HTTP/1.1\r\nHost: a\r\nX: b\rY: c\r\n\r\n", Http1Error.InvalidFieldValue },
        { "NUL in value", "GET / HTTP/1.1\r\nHost: a\r\nX: b\0c\r\n\r\n", Http1Error.InvalidFieldValue },
        { "DEL in value", "GET / HTTP/1.1\r\nHost: a\r\nX: b\u007f\r\n\r\n", Http1Error.InvalidFieldValue },
        { "CTL in name", "GET / HTTP/1.1\r\nHost: a\r\nX\u0001: b\r\n\r\n", Http1Error.InvalidFieldName },
        { "no colon", "GET / HTTP/1.1\r\nHost: a\r\nJust a line\r\n\r\n", Http1Error.InvalidFieldName },
        { "empty name", "GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n", Http1Error.InvalidFieldName },
        { "obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n\tc\r\n\r\n", Http1Error.ObsoleteLineFolding },

        // :: Host (RFC 9112 §3.2)
        { "missing Host", "GET / HTTP/1.1\r\nX: b\r\n\r\n", Http1Error.MissingHost },
        { "two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", Http1Error.MultipleHost },
        { "Host with userinfo", "GET / HTTP/1.1\r\nHost: evil@a\r\n\r\n", Http1Error.InvalidHost },
        { "Host with path", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", Http1Error.InvalidHost },
        { "Host bad port", "GET / HTTP/1.1\r\nHost: a:99999\r\n\r\n", Http1Error.InvalidHost },
        { "absolute-form without Host", "GET http://a/ HTTP/1.1\r\n\r\n", Http1Error.MissingHost },

        // :: request line whitespace and form
        { "double space", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", Http1Error.BadRequestLine },
        { "tab separator", "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", Http1Error.BadRequestLine },
        { "trailing space", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", Http1Error.BadRequestLine },
        { "leading space", " GET / HTTP/1.1\r\nHost: a\r\n\r\n", Http1Error.BadRequestLine },
        { "space in target", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", Http1Error.BadRequestLine },
        { "no version", "GET /\r\nHost: a\r\n\r\n", Http1Error.BadRequestLine },
        { "lower-case version", "GET / http/1.1\r\nHost: a\r\n\r\n", Http1Error.BadRequestLine },
        { "HTTP/2.0 on h1", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", Http1Error.UnsupportedHttpVersion },
        { "relative target", "GET index.html HTTP/1.1\r\nHost: a\r\n\r\n", Http1Error.InvalidRequestTarget },
        { "asterisk on GET", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", Http1Error.InvalidRequestTarget },
        { "absolute userinfo", "GET http://u@a/ HTTP/1.1\r\nHost: a\r\n\r\n", Http1Error.InvalidRequestTarget },
        { "absolute other scheme", "GET ftp://a/ HTTP/1.1\r\nHost: a\r\n\r\n", Http1Error.InvalidRequestTarget },
        { "CONNECT without port", "CONNECT a HTTP/1.1\r\nHost: a\r\n\r\n", Http1Error.InvalidRequestTarget },
        { "method with slash", "GE/T / HTTP/1.1\r\nHost: a\r\n\r\n", Http1Error.BadRequestLine },
        { "fragment in target", "GET /a#/../admin HTTP/1.1\r\nHost: a\r\n\r\n", Http1Error.InvalidRequestTarget },
        { "three spaces", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n", Http1Error.BadRequestLine },

        // :: not HTTP at all (a port declared HTTP gets them too): refused at the first byte that rules a method out
        { "TLS ClientHello", "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003", Http1Error.BadRequestLine },
        { "binary", "\u0000\u0000\u0000\u0001\u00ff", Http1Error.BadRequestLine },
        { "method then binary", "GET\u0000/ HTTP/1.1", Http1Error.BadRequestLine },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void AmbiguousRequest_IsRefusedWithItsReason(string name, string wire, Http1Error expected)
    {
        var parser = new Http1RequestParser();
        var status = parser.TryParse(Bytes.Sequence(wire), out _, out _, out var error);
        Assert.True(status == Http1ParseStatus.Error, $"{name}: {status}");
        Assert.Equal(expected, error);
        Assert.Contains(error.StatusCode(), new[] { 400, 501, 505 });
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AmbiguousRequest_IsRefusedWhateverTheReads(string name, string wire, Http1Error expected)
    {
        // fed one byte at a time, the verdict must be the same: nothing is forwarded before it
        var (messages, error) = Http1Reading.Requests(Bytes.Of(wire), 1);
        Assert.True(messages.Count == 0, name);
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("\r\nGET /")]
    [InlineData("\r\n\r\nPOST")]
    [InlineData("PRI * HTTP/2.0\r\n")]
    [InlineData("GET /a b HTTP/1.1\r\nHost: a\r\n")]
    public void IncompleteHead_ThatMayStillBeARequest_IsWaitedFor(string wire)
    {
        var parser = new Http1RequestParser();
        Assert.Equal(Http1ParseStatus.NeedMoreData, parser.TryParse(Bytes.Sequence(wire), out _, out _, out _));
    }

    public static TheoryData<string, string, Http1Error> ChunkCases => new()
    {
        { "size not hex (issue 14)", "zz\r\nhello\r\n0\r\n\r\n", Http1Error.InvalidChunkSize },
        { "bad size after a good chunk", "5\r\nhello\r\nzz\r\n", Http1Error.InvalidChunkSize },
        { "size overflow", "FFFFFFFFFFFFFFFFF\r\n", Http1Error.ChunkSizeOverflow },
        { "size just over long", "8000000000000000\r\n", Http1Error.ChunkSizeOverflow },
        { "size with 0x", "0x5\r\nhello\r\n0\r\n\r\n", Http1Error.InvalidChunkSize },
        { "negative size", "-5\r\nhello\r\n0\r\n\r\n", Http1Error.InvalidChunkSize },
        { "empty size", "\r\nhello\r\n0\r\n\r\n", Http1Error.InvalidChunkSize },
        { "size then space", "5 \r\nhello\r\n0\r\n\r\n", Http1Error.InvalidChunkSize },
        { "space before size", " 5\r\nhello\r\n0\r\n\r\n", Http1Error.InvalidChunkSize },
        { "bare LF after size", "5\nhello\r\n0\r\n\r\n", Http1Error.BareLineFeed },
        { "LF in extension", "5;a\nb\r\nhello\r\n0\r\n\r\n", Http1Error.BareLineFeed },
        { "bare CR in extension", "5;a\rb\r\nhello\r\n0\r\n\r\n", Http1Error.InvalidChunkExtension },
        { "extension without name", "5;\r\nhello\r\n0\r\n\r\n", Http1Error.InvalidChunkExtension },
        { "extension unterminated quote", "5;a=\"b\r\nhello\r\n0\r\n\r\n", Http1Error.InvalidChunkExtension },
        { "extension empty value", "5;a=\r\nhello\r\n0\r\n\r\n", Http1Error.InvalidChunkExtension },
        { "data longer than size", "5\r\nhelloXX\r\n0\r\n\r\n", Http1Error.MissingChunkTerminator },
        { "data without CRLF", "5\r\nhello0\r\n\r\n", Http1Error.MissingChunkTerminator },
        { "data with bare LF", "5\r\nhello\n0\r\n\r\n", Http1Error.MissingChunkTerminator },
        { "trailer Content-Length", "0\r\nContent-Length: 5\r\n\r\n", Http1Error.FramingFieldInTrailer },
        { "trailer Transfer-Encoding", "0\r\nTransfer-Encoding: chunked\r\n\r\n", Http1Error.FramingFieldInTrailer },
        { "trailer Host", "0\r\nHost: b\r\n\r\n", Http1Error.FramingFieldInTrailer },
        { "trailer malformed", "0\r\nnot a field\r\n\r\n", Http1Error.InvalidTrailer },
        { "trailer bare LF", "0\r\nX: a\n\r\n", Http1Error.BareLineFeed },
        { "trailer obs-fold", "0\r\nX: a\r\n b\r\n\r\n", Http1Error.ObsoleteLineFolding },
        { "cut short", "5\r\nhel", Http1Error.UnexpectedEndOfBody },
        { "no last chunk", "5\r\nhello\r\n", Http1Error.UnexpectedEndOfBody },
    };

    [Theory]
    [MemberData(nameof(ChunkCases))]
    public void BadChunkedBody_IsRefused(string name, string body, Http1Error expected)
    {
        var wire = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + body;
        foreach (var chunk in new[] { wire.Length, 1, 3 })
        {
            var (messages, error) = Http1Reading.Requests(Bytes.Of(wire), chunk);
            Assert.True(messages.Count == 0, $"{name} (reads of {chunk})");
            Assert.Equal(expected, error);
        }

        Assert.Equal(400, expected.StatusCode());
    }

    [Fact]
    public void ChunkLine_LongerThanLimit_IsRefusedWithoutWaitingForItsEnd()
    {
        var wire = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;" + new string('a', 5000);
        var (_, error) = Http1Reading.Requests(Bytes.Of(wire + "\r\nhello\r\n0\r\n\r\n"), 64, new Http1Limits(MaxChunkLineBytes: 1024));
        Assert.Equal(Http1Error.ChunkLineTooLong, error);
    }

    [Fact]
    public void Trailers_LargerThanLimit_Are431()
    {
        var trailers = string.Concat(Enumerable.Range(0, 100).Select(i => $"X-T{i}: {new string('v', 50)}\r\n"));
        var wire = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" + trailers + "\r\n";
        var (_, error) = Http1Reading.Requests(Bytes.Of(wire), 100, new Http1Limits(MaxTrailerBytes: 1024));
        Assert.Equal(Http1Error.TrailersTooLarge, error);
        Assert.Equal(431, error.StatusCode());
    }

    [Fact]
    public void SmuggledSecondRequest_InAValidChunkedBody_IsJustBody()
    {
        // what a CL-only reader would see as a second request is, framed correctly, the first request's body
        const string body = "GET /admin HTTP/1.1\r\nHost: a\r\n\r\n";
        var wire = $"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n{body.Length:x}\r\n{body}\r\n0\r\n\r\n";
        var (messages, error) = Http1Reading.Requests(Bytes.Of(wire), 7);
        Assert.Equal(Http1Error.None, error);
        Assert.Equal([$"POST / Chunked keepAlive=True body={body}"], messages);
    }

    [Fact]
    public void UpstreamErrors_AreAlways502() =>
        Assert.Equal(502, Http1Error.ContentLengthWithTransferEncoding.StatusCode(upstream: true));
}
