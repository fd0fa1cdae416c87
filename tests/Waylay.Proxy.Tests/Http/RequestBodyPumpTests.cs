using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Waylay.Proxy.Http;
using Waylay.Proxy.Http.Forwarding;
using Waylay.Proxy.Http.Http1;
using Xunit;
using Waylay.Proxy.Http.Policy;

namespace Waylay.Proxy.Tests.Http;

/// <summary>
/// The request body between a client and the tries of one request, with pipes for the client and each upstream: what
/// a try was sent is kept and goes first to the next try, then the rest as the client sends it; sized and chunked
/// (trailers included) alike. A body past 1 MiB cannot be resent but streams on; an upstream that stopped reading does
/// not hold up ending its try; and the end of an exchange ends the pump whatever it was waiting for. After an early
/// answer the rest of the body is read away and dropped, up to its byte and time limits, and the connection's next
/// request is left where it starts.
/// </summary>
public sealed class RequestBodyPumpTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Resend_TheKeptBytesFirst_ThenTheRest_CountedOnce()
    {
        var client = Client();
        var pump = Started("POST / HTTP/1.1\r\nhost: a\r\ncontent-length: 9\r\n\r\n", client.Reader);
        await client.Writer.WriteAsync("abc"u8.ToArray());

        var first = new Pipe();
        await pump.AttachAsync(first.Writer, keep: true);
        Assert.Equal("abc", await ReadAsync(first.Reader, 3));
        Assert.True(await pump.ReleaseForResendAsync(first.Writer));

        await client.Writer.WriteAsync("defghi"u8.ToArray());
        var second = new Pipe();
        await pump.AttachAsync(second.Writer, keep: true);
        Assert.Equal("abcdefghi", await ReadAsync(second.Reader, 9));
        await WaitAsync(() => pump.CompletedOn(second.Writer));
        Assert.False(pump.CompletedOn(first.Writer));
        Assert.Equal(9, pump.BytesRead);
        await pump.StopAsync().AsTask().WaitAsync(Bound);
    }

    [Fact]
    public async Task Chunked_ReplayedWithItsEndAndTrailers_AsOftenAsAsked()
    {
        var client = Client();
        var pump = Started("POST / HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked\r\n\r\n", client.Reader);
        await client.Writer.WriteAsync("3;ext=1\r\nabc\r\n"u8.ToArray());

        var first = new Pipe();
        await pump.AttachAsync(first.Writer, keep: true);
        Assert.Equal("3\r\nabc\r\n", await ReadAsync(first.Reader, 8));
        Assert.True(await pump.ReleaseForResendAsync(first.Writer));

        await client.Writer.WriteAsync("0\r\nx-t: 1\r\n\r\n"u8.ToArray());
        const string Whole = "3\r\nabc\r\n0\r\nx-t: 1\r\n\r\n";
        var second = new Pipe();
        await pump.AttachAsync(second.Writer, keep: true);
        Assert.Equal(Whole, await ReadAsync(second.Reader, Whole.Length));
        await WaitAsync(() => pump.CompletedOn(second.Writer));

        // The body is over: a third try gets all of it from the buffer.
        Assert.True(await pump.ReleaseForResendAsync(second.Writer));
        var third = new Pipe();
        await pump.AttachAsync(third.Writer, keep: true);
        Assert.Equal(Whole, await ReadAsync(third.Reader, Whole.Length));
        await WaitAsync(() => pump.CompletedOn(third.Writer));
        Assert.Equal(3, pump.BytesRead);
        await pump.StopAsync().AsTask().WaitAsync(Bound);
    }

    [Fact]
    public async Task PastOneMiB_NotResendable_ButTheBodyStreamsOnToItsTry()
    {
        const int Length = 2 << 20;
        var client = Client();
        var pump = Started($"POST / HTTP/1.1\r\nhost: a\r\ncontent-length: {Length}\r\n\r\n", client.Reader);
        var upstream = new Pipe();
        await pump.AttachAsync(upstream.Writer, keep: true);
        var received = ReadAsync(upstream.Reader, Length);

        await client.Writer.WriteAsync(new byte[(3 << 19) + 1]);
        await WaitAsync(() => pump.BytesRead > ReplayBuffer.EnvoyLimit);
        Assert.False(await pump.ReleaseForResendAsync(upstream.Writer));

        await client.Writer.WriteAsync(new byte[Length - (3 << 19) - 1]);
        Assert.Equal(Length, (await received.WaitAsync(Bound)).Length);
        await WaitAsync(() => pump.CompletedOn(upstream.Writer));
        await pump.StopAsync().AsTask().WaitAsync(Bound);
    }

    [Fact]
    public async Task UpstreamThatStoppedReading_DoesNotHoldUpTheResend()
    {
        var client = Client();
        var pump = Started("POST / HTTP/1.1\r\nhost: a\r\ncontent-length: 300000\r\n\r\n", client.Reader);
        await client.Writer.WriteAsync(new byte[100_000]);

        // An upstream that answered early and reads nothing more: the pump's flush into it waits for ever.
        var early = new Pipe(new PipeOptions(pauseWriterThreshold: 1024, resumeWriterThreshold: 512));
        await pump.AttachAsync(early.Writer, keep: true);
        await WaitAsync(() => pump.BytesRead == 100_000);
        Assert.True(await pump.ReleaseForResendAsync(early.Writer).AsTask().WaitAsync(Bound));

        var next = new Pipe();
        await pump.AttachAsync(next.Writer, keep: true);
        var received = ReadAsync(next.Reader, 300_000);
        await client.Writer.WriteAsync(new byte[200_000]);
        Assert.Equal(300_000, (await received.WaitAsync(Bound)).Length);
        await WaitAsync(() => pump.CompletedOn(next.Writer));
        await pump.StopAsync().AsTask().WaitAsync(Bound);
    }

    [Fact]
    public async Task NothingKept_WhenNothingCouldBeResent()
    {
        var client = Client();
        var pump = Started("POST / HTTP/1.1\r\nhost: a\r\ncontent-length: 3\r\n\r\n", client.Reader);
        await client.Writer.WriteAsync("abc"u8.ToArray());
        var upstream = new Pipe();
        await pump.AttachAsync(upstream.Writer, keep: false);
        Assert.Equal("abc", await ReadAsync(upstream.Reader, 3));
        Assert.False(await pump.ReleaseForResendAsync(upstream.Writer));
        await pump.StopAsync().AsTask().WaitAsync(Bound);
    }

    [Fact]
    public async Task Stop_EndsAPumpWaitingForTheClient_OrForANextTry_OrFailedByTheClient()
    {
        // Waiting for client bytes that never come (the exchange ended with an early answer).
        var client = Client();
        var pump = Started("POST / HTTP/1.1\r\nhost: a\r\ncontent-length: 10\r\n\r\n", client.Reader);
        await client.Writer.WriteAsync("abc"u8.ToArray());
        var upstream = new Pipe();
        await pump.AttachAsync(upstream.Writer, keep: true);
        Assert.Equal("abc", await ReadAsync(upstream.Reader, 3));
        await pump.DetachAsync(upstream.Writer);
        await pump.StopAsync().AsTask().WaitAsync(Bound);
        Assert.False(pump.Active);

        // Holding client bytes for a next try that never starts.
        client = Client();
        pump = Started("POST / HTTP/1.1\r\nhost: a\r\ncontent-length: 10\r\n\r\n", client.Reader);
        await client.Writer.WriteAsync("abc"u8.ToArray());
        upstream = new Pipe();
        await pump.AttachAsync(upstream.Writer, keep: true);
        Assert.Equal("abc", await ReadAsync(upstream.Reader, 3));
        Assert.True(await pump.ReleaseForResendAsync(upstream.Writer));
        await client.Writer.WriteAsync("def"u8.ToArray());
        await pump.StopAsync().AsTask().WaitAsync(Bound);

        // The client connection failed mid-body: observed, not thrown.
        client = Client();
        pump = Started("POST / HTTP/1.1\r\nhost: a\r\ncontent-length: 10\r\n\r\n", client.Reader);
        upstream = new Pipe();
        await pump.AttachAsync(upstream.Writer, keep: true);
        await client.Writer.CompleteAsync(new IOException("connection reset by peer"));
        await pump.StopAsync().AsTask().WaitAsync(Bound);
    }

    [Fact]
    public async Task Drain_AfterAnEarlyAnswer_ReadsTheRestAway_NothingMoreUpstream_TheNextRequestIntact()
    {
        var client = Client();
        var pump = Started("POST / HTTP/1.1\r\nhost: a\r\ncontent-length: 10\r\n\r\n", client.Reader);
        await client.Writer.WriteAsync("abc"u8.ToArray());
        var upstream = new Pipe();
        await pump.AttachAsync(upstream.Writer, keep: false);
        Assert.Equal("abc", await ReadAsync(upstream.Reader, 3));

        // The try is over (its server answered): its writer goes with its connection, then the rest is read away.
        await pump.DetachAsync(upstream.Writer);
        var drain = pump.DrainAsync(new FakeTimeProvider()).AsTask();
        await client.Writer.WriteAsync("defg"u8.ToArray());
        await client.Writer.WriteAsync("hijGET /next HTTP/1.1\r\n\r\n"u8.ToArray());
        Assert.True(await drain.WaitAsync(Bound));
        Assert.True(pump.ReadToEnd);
        Assert.Equal(3, pump.BytesRead);
        Assert.False(upstream.Reader.TryRead(out _));
        await pump.StopAsync().AsTask().WaitAsync(Bound);
        Assert.StartsWith("GET /next ", await ReadAsync(client.Reader, 10));
    }

    [Fact]
    public async Task Drain_Chunked_ToItsLastChunkAndTrailers_AndWithoutAnyTry()
    {
        var client = Client();
        var pump = Started("POST / HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked\r\n\r\n", client.Reader);
        await client.Writer.WriteAsync("3;ext=1\r\nabc\r\n"u8.ToArray());
        var upstream = new Pipe();
        await pump.AttachAsync(upstream.Writer, keep: true);
        Assert.Equal("3\r\nabc\r\n", await ReadAsync(upstream.Reader, 8));
        await pump.DetachAsync(upstream.Writer);
        var drain = pump.DrainAsync(new FakeTimeProvider()).AsTask();
        await client.Writer.WriteAsync("4\r\ndefg\r\n0\r\nx-t: 1\r\n\r\nGET"u8.ToArray());
        Assert.True(await drain.WaitAsync(Bound));
        await pump.StopAsync().AsTask().WaitAsync(Bound);
        Assert.Equal("GET", await ReadAsync(client.Reader, 3));

        // A body no try took a byte of (the pump never started) is read away the same.
        client = Client();
        pump = Started("POST / HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked\r\n\r\n", client.Reader);
        await client.Writer.WriteAsync("2\r\nab\r\n0\r\n\r\nGET"u8.ToArray());
        Assert.True(await pump.DrainAsync(new FakeTimeProvider()).AsTask().WaitAsync(Bound));
        await pump.StopAsync().AsTask().WaitAsync(Bound);
        Assert.Equal("GET", await ReadAsync(client.Reader, 3));
    }

    [Fact]
    public async Task Drain_GivesUp_PastItsByteLimit()
    {
        // Chunked: read away up to the limit, then given up.
        var client = Client();
        var pump = Started("POST / HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked\r\n\r\n", client.Reader);
        var drain = pump.DrainAsync(new FakeTimeProvider()).AsTask();
        var chunk = Encoding.ASCII.GetBytes($"{64 * 1024:x}\r\n").Concat(new byte[64 * 1024]).Concat("\r\n"u8.ToArray()).ToArray();
        for (var sent = 0L; sent <= RequestBodyPump.DrainLimit && !drain.IsCompleted; sent += 64 * 1024)
        {
            await client.Writer.WriteAsync(chunk);
        }

        Assert.False(await drain.WaitAsync(Bound));
        Assert.False(pump.ReadToEnd);
        await pump.StopAsync().AsTask().WaitAsync(Bound);

        // A declared length whose rest is past the limit: not a byte is read.
        client = Client();
        pump = Started($"POST / HTTP/1.1\r\nhost: a\r\ncontent-length: {RequestBodyPump.DrainLimit + 10}\r\n\r\n", client.Reader);
        await client.Writer.WriteAsync("abc"u8.ToArray());
        var upstream = new Pipe();
        await pump.AttachAsync(upstream.Writer, keep: false);
        Assert.Equal("abc", await ReadAsync(upstream.Reader, 3));
        await pump.DetachAsync(upstream.Writer);
        Assert.False(await pump.DrainAsync(new FakeTimeProvider()).AsTask().WaitAsync(Bound));
        await pump.StopAsync().AsTask().WaitAsync(Bound);
    }

    [Fact]
    public async Task Drain_GivesUp_AtItsTimeLimit_OrAtOnceWhenTheConnectionCloses()
    {
        // A client that stopped mid-body: the drain waits out its time, no longer.
        var time = new FakeTimeProvider();
        var client = Client();
        var pump = Started("POST / HTTP/1.1\r\nhost: a\r\ncontent-length: 10\r\n\r\n", client.Reader);
        await client.Writer.WriteAsync("abc"u8.ToArray());
        var drain = pump.DrainAsync(time).AsTask();
        time.Advance(RequestBodyPump.DrainTimeout - TimeSpan.FromMilliseconds(1));
        Assert.False(drain.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(await drain.WaitAsync(Bound));
        await pump.StopAsync().AsTask().WaitAsync(Bound);

        // The connection closing (the client's token) ends it at once, whatever time is left.
        using var closing = new CancellationTokenSource();
        client = Client();
        pump = Started("POST / HTTP/1.1\r\nhost: a\r\ncontent-length: 10\r\n\r\n", client.Reader, closing.Token);
        drain = pump.DrainAsync(new FakeTimeProvider()).AsTask();
        await client.Writer.WriteAsync("abc"u8.ToArray());
        await closing.CancelAsync();
        Assert.False(await drain.WaitAsync(Bound));
        await pump.StopAsync().AsTask().WaitAsync(Bound);

        // And so does the client going away mid-body.
        client = Client();
        pump = Started("POST / HTTP/1.1\r\nhost: a\r\ncontent-length: 10\r\n\r\n", client.Reader);
        drain = pump.DrainAsync(new FakeTimeProvider()).AsTask();
        await client.Writer.WriteAsync("abc"u8.ToArray());
        await client.Writer.CompleteAsync();
        Assert.False(await drain.WaitAsync(Bound));
        await pump.StopAsync().AsTask().WaitAsync(Bound);
    }

    /// <summary>The client's side: writes never wait for the pump (some are made before a try takes them).</summary>
    [Fact]
    public async Task CheckBuffered_RefusesAMalformedChunkThatCameWithTheHead_AndLeavesTheBytesWhereTheyWere()
    {
        var client = Client();
        var pump = Started("POST / HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked\r\n\r\n", client.Reader);
        Assert.Equal(Http1Error.None, pump.CheckBuffered()); // nothing buffered yet: nothing to say
        await client.Writer.WriteAsync("3\r\nabc\r\nzz\r\n"u8.ToArray());
        Assert.Equal(Http1Error.InvalidChunkSize, pump.CheckBuffered());
        var read = await client.Reader.ReadAsync();
        Assert.Equal("3\r\nabc\r\nzz\r\n", Encoding.ASCII.GetString(read.Buffer));
        client.Reader.AdvanceTo(read.Buffer.Start);
        await pump.StopAsync().AsTask().WaitAsync(Bound);

        // A good start is let through, and the pump forwards it from its first byte.
        client = Client();
        pump = Started("POST / HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked\r\n\r\n", client.Reader);
        await client.Writer.WriteAsync("3\r\nabc\r\n0\r\n\r\n"u8.ToArray());
        Assert.Equal(Http1Error.None, pump.CheckBuffered());
        var upstream = new Pipe();
        await pump.AttachAsync(upstream.Writer, keep: false);
        Assert.Equal("3\r\nabc\r\n0\r\n\r\n", await ReadAsync(upstream.Reader, 13));
        await WaitAsync(() => pump.CompletedOn(upstream.Writer));
        await pump.StopAsync().AsTask().WaitAsync(Bound);
    }

    [Fact]
    public async Task MalformedChunkMidStream_IsReported_TheGoodPartForwarded_NothingAfterIt()
    {
        var client = Client();
        var pump = Started("POST / HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked\r\n\r\n", client.Reader);
        var upstream = new Pipe();
        await pump.AttachAsync(upstream.Writer, keep: false);
        await client.Writer.WriteAsync("3\r\nabc\r\n"u8.ToArray());
        Assert.Equal("3\r\nabc\r\n", await ReadAsync(upstream.Reader, 8));
        Assert.Equal(Http1Error.None, pump.Malformed);

        await client.Writer.WriteAsync("zz\r\n3\r\ndef\r\n0\r\n\r\n"u8.ToArray());
        await WaitAsync(() => pump.Malformed != Http1Error.None);
        Assert.Equal(Http1Error.InvalidChunkSize, pump.Malformed);
        Assert.False(pump.ReadToEnd);
        Assert.False(await pump.ReleaseForResendAsync(upstream.Writer)); // never sent again
        await pump.StopAsync().AsTask().WaitAsync(Bound);
        Assert.False(upstream.Reader.TryRead(out var rest) && rest.Buffer.Length > 0, "nothing after the malformed line goes upstream");
    }

    [Fact]
    public async Task ClientGoneMidBody_IsNotMalformed()
    {
        var client = Client();
        var pump = Started("POST / HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked\r\n\r\n", client.Reader);
        var upstream = new Pipe();
        await pump.AttachAsync(upstream.Writer, keep: false);
        await client.Writer.WriteAsync("3\r\nab"u8.ToArray());
        await client.Writer.CompleteAsync();
        await pump.StopAsync().AsTask().WaitAsync(Bound);
        Assert.Equal(Http1Error.None, pump.Malformed);
    }

    private static Pipe Client() => new(new PipeOptions(pauseWriterThreshold: 0));

    private static RequestBodyPump Started(string head, PipeReader client, CancellationToken cancellationToken = default)
    {
        var parser = new Http1RequestParser();
        Assert.Equal(Http1ParseStatus.Complete, parser.TryParse(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(head)), out _, out _, out _));
        var pump = new RequestBodyPump();
        pump.Start(parser.Head, client, cancellationToken);
        return pump;
    }

    private static async Task<string> ReadAsync(PipeReader reader, int count)
    {
        using var timeout = new CancellationTokenSource(Bound);
        while (true)
        {
            var read = await reader.ReadAsync(timeout.Token);
            if (read.Buffer.Length >= count || read.IsCompleted)
            {
                var text = Encoding.Latin1.GetString(read.Buffer.Slice(0, Math.Min(count, read.Buffer.Length)));
                reader.AdvanceTo(read.Buffer.GetPosition(Math.Min(count, read.Buffer.Length)));
                return text;
            }

            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Bound);
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }
}
