using System.Net.Security;
using System.Security.Authentication;
using Waylay.Proxy.Http;
using Waylay.Proxy.Routing;
using Xunit;

namespace Waylay.Proxy.Http.Tests;

public sealed class ProtocolSnifferTests
{
    [Theory]
    [InlineData("GET / HTTP/1.1\r\n")]
    [InlineData("POST /api/v1/x?y=1 HTTP/1.0\r\n")]
    [InlineData("PURGE /cache HTTP/1.1\r\nHost: a\r\n")]
    [InlineData("OPTIONS * HTTP/1.1")]
    public void RequestLine_IsHttp1(string first) => Assert.Equal(SniffedProtocol.Http1, ProtocolSniffer.Sniff(Bytes.Of(first)).Protocol);

    [Fact]
    public void EveryPrefixOfARequestLine_NeedsMoreData()
    {
        var line = Bytes.Of("GET /reviews/0 HTTP/1.1\r\n");
        for (var n = 0; n < "GET /reviews/0 HTTP/1.1".Length; n++)
        {
            Assert.Equal(SniffedProtocol.NeedMoreData, ProtocolSniffer.Sniff(line.AsSpan(0, n)).Protocol);
        }
    }

    [Fact]
    public void Http2Preface_IsHttp2_AndItsPrefixesWait()
    {
        var preface = Bytes.Of("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
        Assert.Equal(SniffedProtocol.Http2, ProtocolSniffer.Sniff(preface).Protocol);
        for (var n = 1; n < preface.Length; n++)
        {
            Assert.Equal(SniffedProtocol.NeedMoreData, ProtocolSniffer.Sniff(preface.AsSpan(0, n)).Protocol);
        }
    }

    [Theory]
    [InlineData(new byte[] { 0x0a, 0x00, 0x00, 0x00 })] // MySQL-ish binary
    [InlineData(new byte[] { 0x00 })]
    [InlineData(new byte[] { 0x16, 0x01 })] // 0x16 but not TLS 3.x
    public void BinaryFirstBytes_AreOpaqueAtOnce(byte[] first) => Assert.Equal(SniffedProtocol.Opaque, ProtocolSniffer.Sniff(first).Protocol);

    [Theory]
    [InlineData("EHLO mail.example\r\n")] // a client speaking SMTP-like text
    [InlineData("GET /\r\n")] // HTTP/0.9
    [InlineData("GET / FTP/1.0\r\n")]
    [InlineData("hello world how are you\r\n")]
    public void TextThatIsNotHttp_IsOpaque(string first) => Assert.Equal(SniffedProtocol.Opaque, ProtocolSniffer.Sniff(Bytes.Of(first)).Protocol);

    [Theory]
    [InlineData("GET /a b HTTP/1.1\r\nHost: a\r\n")] // more than two spaces (issue 14)
    [InlineData("GET  / HTTP/1.1\r\n")]
    [InlineData("GET /a\tb HTTP/1.0\r\n")]
    [InlineData("GET /a b HTTP/1.1\n")]
    [InlineData("GET / x / HTTP/1.1\r\n")]
    public void MalformedRequestLine_EndingInAnHttpVersion_IsHttp1_ForTheParserToRefuse(string first) =>
        Assert.Equal(SniffedProtocol.Http1, ProtocolSniffer.Sniff(Bytes.Of(first)).Protocol);

    [Theory]
    [InlineData("SET a b\r\n")] // Redis inline command
    [InlineData("GET /a b FTP/1.0\r\n")]
    [InlineData("GET /a b HTTP/1.1 x\r\n")]
    [InlineData("GET /a bHTTP/1.1\r\n")]
    public void MalformedRequestLine_NotEndingInAnHttpVersion_IsOpaque(string first) =>
        Assert.Equal(SniffedProtocol.Opaque, ProtocolSniffer.Sniff(Bytes.Of(first)).Protocol);

    [Fact]
    public void MalformedRequestLine_WaitsForItsEnd()
    {
        Assert.Equal(SniffedProtocol.NeedMoreData, ProtocolSniffer.Sniff(Bytes.Of("GET /a b")).Protocol);
        Assert.Equal(SniffedProtocol.NeedMoreData, ProtocolSniffer.Sniff(Bytes.Of("GET /a b HTTP/1.1")).Protocol);
        Assert.Equal(SniffedProtocol.Opaque, ProtocolSniffer.Sniff(Bytes.Of("GET /a b" + new string('x', ProtocolSniffer.MaxRequestLine))).Protocol);
    }

    [Fact]
    public void OnADeclaredHttpPort_OnlyTheH2PrefaceWaits_AnythingElseIsHttp1AtOnce()
    {
        var preface = Bytes.Of("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
        Assert.Equal(SniffedProtocol.Http2, ProtocolSniffer.SniffDeclaredHttp(preface).Protocol);
        Assert.Equal(SniffedProtocol.NeedMoreData, ProtocolSniffer.SniffDeclaredHttp(preface.AsSpan(0, 10)).Protocol);
        Assert.Equal(SniffedProtocol.NeedMoreData, ProtocolSniffer.SniffDeclaredHttp(ReadOnlySpan<byte>.Empty).Protocol);
        byte[][] others = [Bytes.Of("G"), Bytes.Of("GET /a b HTTP/1.1\r\n"), [0x16, 0x03, 0x01], [0x00, 0xFF], Bytes.Of("PRX")];
        Assert.All(others, bytes => Assert.Equal(SniffedProtocol.Http1, ProtocolSniffer.SniffDeclaredHttp(bytes).Protocol));
    }

    [Fact]
    public void NothingYet_NeedsMoreData() => Assert.Equal(SniffedProtocol.NeedMoreData, ProtocolSniffer.Sniff(ReadOnlySpan<byte>.Empty).Protocol);

    [Fact]
    public async Task RealClientHello_IsTls_WithSniAndAlpn()
    {
        var hello = await CaptureClientHello("reviews.default.svc.cluster.local", ["h2", "http/1.1"]);
        var result = ProtocolSniffer.Sniff(hello);
        Assert.Equal(SniffedProtocol.Tls, result.Protocol);
        Assert.Equal("reviews.default.svc.cluster.local", result.ServerName);
        Assert.Equal(["h2", "http/1.1"], result.Alpn);
    }

    [Fact]
    public async Task ClientHello_InPieces_WaitsThenDecides()
    {
        var hello = await CaptureClientHello("db.internal", []);
        for (var n = 1; n < hello.Length; n += 37)
        {
            Assert.Equal(SniffedProtocol.NeedMoreData, ProtocolSniffer.Sniff(hello.AsSpan(0, n)).Protocol);
        }

        Assert.Equal("db.internal", ProtocolSniffer.Sniff(Bytes.Sequence(hello, 3, 100)).ServerName);
    }

    [Fact]
    public async Task ClientHello_SplitAcrossTwoRecords_IsReassembled()
    {
        var hello = await CaptureClientHello("split.example", []);
        var body = hello.AsSpan(5, (hello[3] << 8) | hello[4]).ToArray();
        var cut = body.Length / 2;
        var twoRecords = new List<byte>();
        foreach (var part in new[] { body[..cut], body[cut..] })
        {
            twoRecords.AddRange([0x16, 0x03, 0x01, (byte)(part.Length >> 8), (byte)part.Length]);
            twoRecords.AddRange(part);
        }

        Assert.Equal("split.example", ProtocolSniffer.Sniff(twoRecords.ToArray()).ServerName);
    }

    /// <summary>The first flight of a real .NET TLS client: the bytes SslStream writes before it waits for the server.</summary>
    private static async Task<byte[]> CaptureClientHello(string serverName, List<string> alpn)
    {
        var capture = new CaptureStream();
        using var ssl = new SslStream(capture);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = serverName,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ApplicationProtocols = alpn.Select(p => new SslApplicationProtocol(p)).ToList(),
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        };
        await Assert.ThrowsAnyAsync<Exception>(() => ssl.AuthenticateAsClientAsync(options));
        return capture.Written.ToArray();
    }

    private sealed class CaptureStream : Stream
    {
        public MemoryStream Written { get; } = new();

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => 0; // the "server" hangs up after the ClientHello

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Written.Write(buffer, offset, count);
    }
}
