using System.Buffers;
using System.IO.Pipelines;
using Waylay.Proxy.Http.Http1;
using Xunit;

namespace Waylay.Proxy.Http.Tests.Http1;

public sealed class PipelineTests
{
    private const string Pipelined =
        "GET /a HTTP/1.1\r\nHost: a\r\n\r\n" +
        "POST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello" +
        "\r\n" + // a stray CRLF between messages, which servers skip (RFC 9112 §2.2)
        "PUT /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=\"v\"\r\nabc\r\n0000A\r\n0123456789\r\n0\r\nX-Checksum: 1\r\n\r\n" +
        "DELETE /d HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";

    private static readonly string[] Expected =
    [
        "GET /a None keepAlive=True body=",
        "POST /b ContentLength keepAlive=True body=hello",
        "PUT /c Chunked keepAlive=True body=abc0123456789 trailers=X-Checksum: 1",
        "DELETE /d None keepAlive=False body=",
    ];

    [Fact]
    public void PipelinedRequests_InOneRead_AreFourMessages()
    {
        var (messages, error) = Http1Reading.Requests(Bytes.Of(Pipelined), Pipelined.Length);
        Assert.Equal(Http1Error.None, error);
        Assert.Equal(Expected, messages);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(13)]
    [InlineData(64)]
    public void PipelinedRequests_InReadsOfAnySize_AreTheSame(int chunk)
    {
        var (messages, error) = Http1Reading.Requests(Bytes.Of(Pipelined), chunk);
        Assert.Equal(Http1Error.None, error);
        Assert.Equal(Expected, messages);
    }

    [Fact]
    public void EveryByteBoundary_SplitIntoTwoSegments_ParsesTheSame()
    {
        // one read whose bytes sit in two memory segments, split at every offset
        var wire = Bytes.Of(Pipelined);
        for (var cut = 1; cut < wire.Length; cut++)
        {
            var parser = new Http1RequestParser();
            var body = new Http1BodyReader();
            var buffer = Bytes.Sequence(wire, cut);
            var messages = new List<string>();
            while (!buffer.IsEmpty)
            {
                Assert.Equal(Http1ParseStatus.Complete, parser.TryParse(buffer, out var consumed, out _, out var error));
                buffer = buffer.Slice(consumed);
                body.Start(parser.Head);
                var text = "";
                while (true)
                {
                    var status = body.Read(buffer, true, out var data, out consumed, out _, out error);
                    Assert.True(status != Http1BodyStatus.Error, $"cut {cut}: {error}");
                    text += Bytes.Text(data);
                    buffer = buffer.Slice(consumed);
                    if (status == Http1BodyStatus.Complete)
                    {
                        break;
                    }
                }

                messages.Add($"{parser.Head.Method} {text}");
            }

            Assert.Equal(["GET ", "POST hello", "PUT abc0123456789", "DELETE "], messages);
        }
    }

    [Fact]
    public async Task ThroughARealPipe_ChunkedBodyIsReframedCanonically()
    {
        // client bytes → parser + body reader → canonical chunked encoding on the other side, as the forwarder will do
        var pipe = new Pipe();
        var upstream = new ArrayBufferWriter<byte>();
        const string wire = "POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n005;x=y\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n";
        var writer = Task.Run(async () =>
        {
            foreach (var b in Bytes.Of(wire))
            {
                await pipe.Writer.WriteAsync(new[] { b });
            }

            await pipe.Writer.CompleteAsync();
        });

        var parser = new Http1RequestParser();
        var body = new Http1BodyReader();
        var inBody = false;
        var done = false;
        while (!done)
        {
            var result = await pipe.Reader.ReadAsync();
            var buffer = result.Buffer;
            if (!inBody)
            {
                var status = parser.TryParse(buffer, out var consumed, out var examined, out var error);
                Assert.NotEqual(Http1ParseStatus.Error, status);
                if (status == Http1ParseStatus.Complete)
                {
                    body.Start(parser.Head);
                    inBody = true;
                }

                pipe.Reader.AdvanceTo(consumed, examined);
                continue;
            }

            while (true)
            {
                var status = body.Read(buffer, result.IsCompleted, out var data, out var consumed, out var examined, out var error);
                Assert.NotEqual(Http1BodyStatus.Error, status);
                if (status == Http1BodyStatus.Data)
                {
                    ChunkedEncoder.WriteChunk(upstream, data);
                    buffer = buffer.Slice(consumed);
                    continue;
                }

                if (status == Http1BodyStatus.Complete)
                {
                    ChunkedEncoder.WriteEnd(upstream, body.Trailers);
                    done = true;
                }

                pipe.Reader.AdvanceTo(consumed, examined);
                break;
            }
        }

        await writer;
        var encoded = System.Text.Encoding.ASCII.GetString(upstream.WrittenSpan);
        Assert.Equal("hello world", Decode(encoded, out var trailers));
        Assert.Equal("X-T: 1\r\n", trailers);
        Assert.DoesNotContain("x=y", encoded);
        Assert.EndsWith("0\r\nX-T: 1\r\n\r\n", encoded);
    }

    [Fact]
    public void Encoder_WritesHexSizesAndNothingForEmptyPieces()
    {
        var output = new ArrayBufferWriter<byte>();
        ChunkedEncoder.WriteChunk(output, new byte[26]);
        ChunkedEncoder.WriteChunk(output, ReadOnlySpan<byte>.Empty);
        ChunkedEncoder.WriteChunk(output, Bytes.Sequence("abc", 1));
        ChunkedEncoder.WriteEnd(output);
        Assert.Equal("1A\r\n" + new string('\0', 26) + "\r\n3\r\nabc\r\n0\r\n\r\n", System.Text.Encoding.ASCII.GetString(output.WrittenSpan));
    }

    [Fact]
    public void ContentLengthBody_StopsAtItsLength_AndLeavesTheNextMessage()
    {
        var body = new Http1BodyReader();
        body.Start(BodyFraming.ContentLength, 5);
        var buffer = Bytes.Sequence("helloGET / HTTP/1.1\r\n", 2);
        Assert.Equal(Http1BodyStatus.Data, body.Read(buffer, false, out var data, out var consumed, out _, out _));
        Assert.Equal("hello", Bytes.Text(data)); // across both segments, without a copy
        buffer = buffer.Slice(consumed);
        Assert.Equal(Http1BodyStatus.Complete, body.Read(buffer, false, out _, out consumed, out _, out _));
        Assert.StartsWith("GET", Bytes.Text(buffer.Slice(consumed)));
        Assert.Equal(5, body.BytesRead);
    }

    [Fact]
    public void ContentLengthBody_ClosedEarly_IsAnError()
    {
        var body = new Http1BodyReader();
        body.Start(BodyFraming.ContentLength, 10);
        Assert.Equal(Http1BodyStatus.Data, body.Read(Bytes.Sequence("hello"), true, out _, out _, out _, out _));
        Assert.Equal(Http1BodyStatus.Error, body.Read(Bytes.Sequence(""), true, out _, out _, out _, out var error));
        Assert.Equal(Http1Error.UnexpectedEndOfBody, error);
    }

    [Fact]
    public void UntilCloseBody_EndsWhenTheConnectionDoes()
    {
        var body = new Http1BodyReader();
        body.Start(BodyFraming.UntilClose);
        Assert.Equal(Http1BodyStatus.Data, body.Read(Bytes.Sequence("abc"), false, out var data, out _, out _, out _));
        Assert.Equal("abc", Bytes.Text(data));
        Assert.Equal(Http1BodyStatus.NeedMoreData, body.Read(Bytes.Sequence(""), false, out _, out _, out _, out _));
        Assert.Equal(Http1BodyStatus.Complete, body.Read(Bytes.Sequence(""), true, out _, out _, out _, out _));
    }

    /// <summary>An independent, minimal chunked decoder to check the encoder's output.</summary>
    private static string Decode(string encoded, out string trailers)
    {
        var result = new System.Text.StringBuilder();
        var i = 0;
        while (true)
        {
            var lineEnd = encoded.IndexOf("\r\n", i, StringComparison.Ordinal);
            var size = Convert.ToInt32(encoded[i..lineEnd], 16);
            i = lineEnd + 2;
            if (size == 0)
            {
                trailers = encoded[i..^2];
                return result.ToString();
            }

            result.Append(encoded, i, size);
            Assert.Equal("\r\n", encoded.Substring(i + size, 2));
            i += size + 2;
        }
    }
}
