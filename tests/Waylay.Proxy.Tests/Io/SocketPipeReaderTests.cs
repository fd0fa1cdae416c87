using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using Waylay.Proxy.Io;
using Xunit;
using static Waylay.Proxy.Tests.Io.IoTestData;

namespace Waylay.Proxy.Tests.Io;

/// <summary><see cref="SocketPipeReader"/> on a real loopback connection: the PipeReader contract as the HTTP/1 path relies on it.</summary>
public sealed class SocketPipeReaderTests
{
    [Fact]
    public async Task ReadAsync_ReturnsWhatThePeerSent()
    {
        using var pair = await LoopbackPair.ConnectAsync();
        var reader = new SocketPipeReader(pair.Polled);
        await SendAllAsync(pair.Peer, "hello, proxy"u8.ToArray());

        var result = await ReadAtLeastBoundedAsync(reader, 12);

        Assert.Equal("hello, proxy", Encoding.ASCII.GetString(result.Buffer.ToArray()));
        Assert.False(result.IsCompleted);
        Assert.False(result.IsCanceled);
        reader.AdvanceTo(result.Buffer.End);
        reader.Complete();
    }

    [Fact]
    public async Task AdvanceTo_NotAllExamined_NextReadReturnsAtOnceWithTheSameBytes()
    {
        using var pair = await LoopbackPair.ConnectAsync();
        var reader = new SocketPipeReader(pair.Polled);
        await SendAllAsync(pair.Peer, "abcdef"u8.ToArray());
        var first = await ReadAtLeastBoundedAsync(reader, 6);

        // Consumed nothing, examined half: what is buffered is still news, so no wait for the socket.
        reader.AdvanceTo(first.Buffer.Start, first.Buffer.GetPosition(3));
        var again = reader.ReadAsync();

        Assert.True(again.IsCompleted);
        Assert.Equal("abcdef", Encoding.ASCII.GetString((await again).Buffer.ToArray()));
        reader.Complete();
    }

    [Fact]
    public async Task AdvanceTo_AllExamined_NextReadWaitsForNewBytes()
    {
        using var pair = await LoopbackPair.ConnectAsync();
        var reader = new SocketPipeReader(pair.Polled);
        await SendAllAsync(pair.Peer, "abcdef"u8.ToArray());
        var first = await ReadAtLeastBoundedAsync(reader, 6);

        // Consumed two, examined all: the next read must bring something new, not hand back "cdef" at once.
        reader.AdvanceTo(first.Buffer.GetPosition(2), first.Buffer.End);
        var waiting = reader.ReadAsync().AsTask();
        await Task.Delay(200);
        Assert.False(waiting.IsCompleted);

        await SendAllAsync(pair.Peer, "g"u8.ToArray());
        var second = await waiting.WaitAsync(Hang);

        Assert.Equal("cdefg", Encoding.ASCII.GetString(second.Buffer.ToArray()));
        reader.AdvanceTo(second.Buffer.End);
        reader.Complete();
    }

    [Fact]
    public async Task WaitingForBytes_HoldsNoBuffer_UntilTheyCome()
    {
        using var pair = await LoopbackPair.ConnectAsync();
        var reader = new SocketPipeReader(pair.Polled);

        var waiting = reader.ReadAsync().AsTask();
        Assert.False(waiting.IsCompleted);
        Assert.False(reader.HoldsBuffer);

        await SendAllAsync(pair.Peer, "ab"u8.ToArray());
        var first = await waiting.WaitAsync(Hang);
        Assert.True(reader.HoldsBuffer);
        reader.AdvanceTo(first.Buffer.End);
        Assert.False(reader.HoldsBuffer);

        // A keep-alive connection between messages: parked, and still without a buffer.
        var next = reader.ReadAsync().AsTask();
        Assert.False(next.IsCompleted);
        Assert.False(reader.HoldsBuffer);

        await SendAllAsync(pair.Peer, "c"u8.ToArray());
        var second = await next.WaitAsync(Hang);
        Assert.Equal("c", Encoding.ASCII.GetString(second.Buffer.ToArray()));
        reader.AdvanceTo(second.Buffer.End);
        reader.Complete();
    }

    [Fact]
    public async Task HeadSplitOverManySmallSends_IsAssembled()
    {
        using var pair = await LoopbackPair.ConnectAsync();
        var reader = new SocketPipeReader(pair.Polled);
        var head = "GET /split HTTP/1.1\r\nHost: example\r\nX-One: 1\r\n\r\n"u8.ToArray();
        using var seen = new SemaphoreSlim(0);

        // One byte per send, the next only after the reader has seen the last: every byte is its own read.
        var sender = Task.Run(async () =>
        {
            foreach (var b in head)
            {
                await SendAllAsync(pair.Peer, new[] { b });
                Assert.True(await seen.WaitAsync(Hang));
            }
        });

        var reads = 0;
        ReadOnlySequence<byte> buffer;
        while (true)
        {
            var result = await reader.ReadAsync().Bounded();
            reads++;
            buffer = result.Buffer;
            if (Encoding.ASCII.GetString(buffer.ToArray()).EndsWith("\r\n\r\n", StringComparison.Ordinal))
            {
                break;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            seen.Release();
        }

        seen.Release();
        await sender.WaitAsync(Hang);
        Assert.Equal(head, buffer.ToArray());
        Assert.Equal(head.Length, reads);
        reader.AdvanceTo(buffer.End);
        reader.Complete();
    }

    [Fact]
    public async Task NothingConsumed_BufferGrowsBeyondItsFirstSize_BytesIntact()
    {
        using var pair = await LoopbackPair.ConnectAsync();
        var reader = new SocketPipeReader(pair.Polled);
        var sent = Pattern(100 * 1024, seed: 1);
        var sending = SendAllAsync(pair.Peer, sent);

        // Consumed only once all 100 KiB are in: the 16 KiB buffer must grow (several times) keeping every byte.
        var result = await ReadAtLeastBoundedAsync(reader, sent.Length);
        await sending;

        Assert.True(result.Buffer.IsSingleSegment);
        Assert.Equal(sent, result.Buffer.ToArray());
        reader.AdvanceTo(result.Buffer.End);
        reader.Complete();
    }

    [Fact]
    public async Task PartlyConsumed_BufferIsCompacted_StreamIntact()
    {
        using var pair = await LoopbackPair.ConnectAsync();
        var reader = new SocketPipeReader(pair.Polled);
        var sent = Pattern(300 * 1024, seed: 2);
        var sending = Task.Run(async () =>
        {
            await SendAllAsync(pair.Peer, sent);
            pair.Peer.Shutdown(SocketShutdown.Send);
        });

        // Records of 1000 bytes: each read leaves a partial record behind (examined, not consumed), so the tail is
        // moved to the front of the buffer whenever the buffer fills.
        var received = new ArrayBufferWriter<byte>();
        while (true)
        {
            var result = await reader.ReadAsync().Bounded();
            var whole = result.IsCompleted ? result.Buffer.Length : result.Buffer.Length / 1000 * 1000;
            var records = result.Buffer.Slice(0, whole);
            foreach (var segment in records)
            {
                received.Write(segment.Span);
            }

            reader.AdvanceTo(records.End, result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        await sending.WaitAsync(Hang);
        Assert.Equal(sent, received.WrittenSpan.ToArray());
        reader.Complete();
    }

    [Fact]
    public async Task AdvanceTo_APositionOutsideTheLastBuffer_Throws()
    {
        using var pair = await LoopbackPair.ConnectAsync();
        var reader = new SocketPipeReader(pair.Polled);
        await SendAllAsync(pair.Peer, "abcdef"u8.ToArray());
        var result = await ReadAtLeastBoundedAsync(reader, 6);
        var buffer = result.Buffer;

        // Examined before consumed, and a position from some other sequence: both are the caller's bug, said at once.
        Assert.Throws<InvalidOperationException>(() => reader.AdvanceTo(buffer.GetPosition(4), buffer.GetPosition(2)));
        Assert.Throws<InvalidOperationException>(() => reader.AdvanceTo(new ReadOnlySequence<byte>(new byte[100]).GetPosition(50)));

        reader.AdvanceTo(buffer.End);
        reader.Complete();
    }

    [Fact]
    public async Task EndOfStream_IsCompleted_WithTheBytesNotYetConsumed()
    {
        using var pair = await LoopbackPair.ConnectAsync();
        var reader = new SocketPipeReader(pair.Polled);
        await SendAllAsync(pair.Peer, "tail"u8.ToArray());
        pair.Peer.Shutdown(SocketShutdown.Send);

        ReadResult result;
        while (true)
        {
            result = await reader.ReadAsync().Bounded();
            if (result.IsCompleted)
            {
                break;
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }

        Assert.Equal("tail", Encoding.ASCII.GetString(result.Buffer.ToArray()));
        reader.AdvanceTo(result.Buffer.End);

        // The end stays the end: a later read says so at once, with nothing left.
        var after = reader.ReadAsync();
        Assert.True(after.IsCompleted);
        Assert.True((await after).IsCompleted);
        Assert.True((await after).Buffer.IsEmpty);
        reader.Complete();
    }

    [Fact]
    public async Task PeerReset_ReadThrowsSocketError()
    {
        using var pair = await LoopbackPair.ConnectAsync();
        var reader = new SocketPipeReader(pair.Polled);
        var pending = reader.ReadAsync().AsTask();

        // SO_LINGER 0: the close sends RST instead of FIN.
        pair.Peer.LingerState = new LingerOption(true, 0);
        pair.Peer.Close();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => pending.WaitAsync(Hang));
        Assert.True(error is SocketException or IOException, $"expected a socket error, got {error}");
        if (error is SocketException socketError)
        {
            Assert.Equal(SocketError.ConnectionReset, socketError.SocketErrorCode);
        }

        reader.Complete();
    }

    [Fact]
    public async Task PendingRead_CancelledByItsToken_ThrowsAndTheReaderWorksAfterwards()
    {
        using var pair = await LoopbackPair.ConnectAsync();
        var reader = new SocketPipeReader(pair.Polled);
        using var cancel = new CancellationTokenSource();
        var pending = reader.ReadAsync(cancel.Token).AsTask();
        Assert.False(pending.IsCompleted);

        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(Hang));

        await SendAllAsync(pair.Peer, "later"u8.ToArray());
        var result = await ReadAtLeastBoundedAsync(reader, 5);
        Assert.Equal("later", Encoding.ASCII.GetString(result.Buffer.ToArray()));
        reader.AdvanceTo(result.Buffer.End);

        // And a second cancellable wait with a fresh token parks and completes normally.
        using var fresh = new CancellationTokenSource();
        var next = reader.ReadAsync(fresh.Token).AsTask();
        await SendAllAsync(pair.Peer, "again"u8.ToArray());
        Assert.Equal("again", Encoding.ASCII.GetString((await next.WaitAsync(Hang)).Buffer.ToArray()));
        reader.Complete();
    }

    [Fact]
    public async Task CancelPendingRead_BeforeARead_NextReadIsCanceled_ThenReadsGoOn()
    {
        using var pair = await LoopbackPair.ConnectAsync();
        var reader = new SocketPipeReader(pair.Polled);

        reader.CancelPendingRead();
        var canceled = await reader.ReadAsync().Bounded();
        Assert.True(canceled.IsCanceled);
        Assert.False(canceled.IsCompleted);
        reader.AdvanceTo(canceled.Buffer.Start);

        await SendAllAsync(pair.Peer, "data"u8.ToArray());
        var result = await ReadAtLeastBoundedAsync(reader, 4);
        Assert.False(result.IsCanceled);
        Assert.Equal("data", Encoding.ASCII.GetString(result.Buffer.ToArray()));
        reader.AdvanceTo(result.Buffer.End);
        reader.Complete();
    }

    [Fact]
    public async Task CancelPendingRead_WhileAReadWaits_CompletesItAsCanceled()
    {
        using var pair = await LoopbackPair.ConnectAsync();
        var reader = new SocketPipeReader(pair.Polled);
        var pending = reader.ReadAsync().AsTask();
        Assert.False(pending.IsCompleted);

        reader.CancelPendingRead();
        var canceled = await pending.WaitAsync(Hang);
        Assert.True(canceled.IsCanceled);
        reader.AdvanceTo(canceled.Buffer.Start);

        await SendAllAsync(pair.Peer, "data"u8.ToArray());
        var result = await ReadAtLeastBoundedAsync(reader, 4);
        Assert.False(result.IsCanceled);
        Assert.Equal("data", Encoding.ASCII.GetString(result.Buffer.ToArray()));
        reader.AdvanceTo(result.Buffer.End);
        reader.Complete();
    }
    [Fact]
    public async Task ReadCanceledAsync_ParkedThenBytes_ResultHasThem_ThenACancelPendingReadSaysCanceled()
    {
        using var pair = await LoopbackPair.ConnectAsync();
        var reader = new SocketPipeReader(pair.Polled);
        var pending = reader.ReadCanceledAsync(CancellationToken.None).AsTask();
        Assert.False(pending.IsCompleted);

        await SendAllAsync(pair.Peer, "head"u8.ToArray());
        Assert.False(await pending.WaitAsync(Hang));
        var read = reader.Result(canceled: false);
        Assert.Equal("head", Encoding.ASCII.GetString(read.Buffer.ToArray()));
        reader.AdvanceTo(read.Buffer.End);

        var waiting = reader.ReadCanceledAsync(CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);
        reader.CancelPendingRead();
        Assert.True(await waiting.WaitAsync(Hang));
        Assert.True(reader.Result(canceled: true).IsCanceled);

        // Bytes already there: completes at once, as ReadAsync does.
        await SendAllAsync(pair.Peer, "more"u8.ToArray());
        await ReadAtLeastBoundedAsync(reader, 4).ContinueWith(t => reader.AdvanceTo(t.Result.Buffer.Start, t.Result.Buffer.End));
        await SendAllAsync(pair.Peer, "!"u8.ToArray());
        Assert.False(await reader.ReadCanceledAsync(CancellationToken.None).AsTask().WaitAsync(Hang));
        Assert.Equal("more!", Encoding.ASCII.GetString(reader.Result(canceled: false).Buffer.ToArray()));
        reader.Complete();
    }
}
