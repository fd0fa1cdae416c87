using System.Net.Sockets;
using System.Text;
using Waylay.Proxy.Io;
using Xunit;
using static Waylay.Proxy.Tests.Io.IoTestData;

namespace Waylay.Proxy.Tests.Io;

/// <summary><see cref="SocketPipeWriter"/> (and through it <see cref="EpollSocket.TrySend"/>) on a real loopback connection.</summary>
public sealed class SocketPipeWriterTests
{
    private const int SmallKernelBuffers = 64 * 1024;

    [Fact]
    public async Task EightMiB_FlushedWhileThePeerReadsSlowly_ArrivesExactly()
    {
        using var pair = await LoopbackPair.ConnectAsync(SmallKernelBuffers);
        var writer = new SocketPipeWriter(pair.Polled);
        var sent = Pattern(8 << 20, seed: 3);

        // Written in uneven pieces (the writer's buffer grows to hold them all), then one flush.
        for (int at = 0, piece = 1; at < sent.Length; piece = piece * 7 % 65_521 + 1)
        {
            var take = Math.Min(piece, sent.Length - at);
            sent.AsSpan(at, take).CopyTo(writer.GetSpan(take));
            writer.Advance(take);
            at += take;
        }

        Assert.Equal(sent.Length, writer.UnflushedBytes);
        var flushing = writer.FlushAsync().AsTask();

        // Nobody reads yet and the kernel holds far less than 8 MiB: the flush waits for the writable edge.
        Assert.False(flushing.IsCompleted);
        var receiving = ReceiveSlowlyToEndAsync(pair.Peer);
        var flushed = await flushing.WaitAsync(Hang);
        Assert.False(flushed.IsCanceled);
        Assert.Equal(0, writer.UnflushedBytes);
        pair.Socket.Shutdown(SocketShutdown.Send);

        Assert.Equal(sent, await receiving.WaitAsync(Hang));
        writer.Complete();
    }

    [Fact]
    public async Task ManyFlushes_WhileThePeerReadsSlowly_ArriveExactly()
    {
        using var pair = await LoopbackPair.ConnectAsync(SmallKernelBuffers);
        var writer = new SocketPipeWriter(pair.Polled);
        var sent = Pattern(8 << 20, seed: 4);
        var receiving = ReceiveSlowlyToEndAsync(pair.Peer);

        for (var at = 0; at < sent.Length; at += 100_000)
        {
            var take = Math.Min(100_000, sent.Length - at);
            sent.AsSpan(at, take).CopyTo(writer.GetSpan(take));
            writer.Advance(take);
            await writer.FlushAsync().Bounded();
        }

        pair.Socket.Shutdown(SocketShutdown.Send);
        Assert.Equal(sent, await receiving.WaitAsync(Hang));
        writer.Complete();
    }

    [Fact]
    public async Task CancelPendingFlush_EndsAFlushWaitingForRoom_TheRestGoesWithTheNextFlush()
    {
        using var pair = await LoopbackPair.ConnectAsync(SmallKernelBuffers);
        var writer = new SocketPipeWriter(pair.Polled);
        var sent = Pattern(4 << 20, seed: 11);
        sent.CopyTo(writer.GetSpan(sent.Length));
        writer.Advance(sent.Length);

        // Nobody reads: the flush parks for room, and CancelPendingFlush ends it with a cancelled result.
        var flushing = writer.FlushAsync().AsTask();
        Assert.False(flushing.IsCompleted);
        writer.CancelPendingFlush();
        var cancelled = await flushing.WaitAsync(Hang);
        Assert.True(cancelled.IsCanceled);
        Assert.InRange(writer.UnflushedBytes, 1, sent.Length - 1);

        // What the kernel did not take is still there: the next flush sends it, and every byte arrives once.
        var receiving = ReceiveSlowlyToEndAsync(pair.Peer);
        Assert.False((await writer.FlushAsync().AsTask().WaitAsync(Hang)).IsCanceled);
        Assert.Equal(0, writer.UnflushedBytes);
        pair.Socket.Shutdown(SocketShutdown.Send);
        Assert.Equal(sent, await receiving.WaitAsync(Hang));

        // With no flush pending, the cancellation is for the next one, as with Pipe's writers.
        writer.CancelPendingFlush();
        Assert.True((await writer.FlushAsync().AsTask().WaitAsync(Hang)).IsCanceled);
        writer.Complete();
    }

    [Fact]
    public async Task WriterSend_EightMiB_WaitsForRoomAndArrivesExactly()
    {
        using var pair = await LoopbackPair.ConnectAsync(SmallKernelBuffers);
        var sent = Pattern(8 << 20, seed: 5);

        var sending = pair.Polled.SendThroughWriterAsync(sent, CancellationToken.None);
        Assert.False(sending.IsCompleted);
        var receiving = ReceiveSlowlyToEndAsync(pair.Peer);
        await sending.WaitAsync(Hang);
        pair.Socket.Shutdown(SocketShutdown.Send);

        Assert.Equal(sent, await receiving.WaitAsync(Hang));
    }

    [Fact]
    public async Task WriterSend_WaitingForRoom_CancelledByItsToken_Throws()
    {
        using var pair = await LoopbackPair.ConnectAsync(SmallKernelBuffers);
        using var cancel = new CancellationTokenSource();
        var sending = pair.Polled.SendThroughWriterAsync(Pattern(8 << 20, seed: 6), cancel.Token);
        Assert.False(sending.IsCompleted);

        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending.WaitAsync(Hang));
    }

    [Fact]
    public async Task GetMemory_BigSizeHintAfterAdvance_KeepsTheEarlierBytes()
    {
        using var pair = await LoopbackPair.ConnectAsync();
        var writer = new SocketPipeWriter(pair.Polled);
        "head:"u8.CopyTo(writer.GetSpan(5));
        writer.Advance(5);

        var body = Pattern(100_000, seed: 7);
        var memory = writer.GetMemory(body.Length);
        Assert.True(memory.Length >= body.Length);
        body.CopyTo(memory);
        writer.Advance(body.Length);
        Assert.Equal(5 + body.Length, writer.UnflushedBytes);
        await writer.FlushAsync().Bounded();

        var received = await Waylay.TestKit.TestData.ReceiveExactlyAsync(pair.Peer, 5 + body.Length).WaitAsync(Hang);
        Assert.Equal("head:", Encoding.ASCII.GetString(received, 0, 5));
        Assert.Equal(body, received[5..]);
        writer.Complete();
    }

    [Fact]
    public async Task FlushAsync_NothingWritten_CompletesAtOnceAndSendsNothing()
    {
        using var pair = await LoopbackPair.ConnectAsync();
        var writer = new SocketPipeWriter(pair.Polled);

        var flush = writer.FlushAsync();
        Assert.True(flush.IsCompletedSuccessfully);
        Assert.False((await flush).IsCanceled);
        Assert.False((await flush).IsCompleted);

        // The first byte the peer sees is the one written after.
        writer.GetSpan(1)[0] = (byte)'x';
        writer.Advance(1);
        await writer.FlushAsync().Bounded();
        Assert.True(await writer.FlushAsync().Bounded() is { IsCanceled: false });
        pair.Socket.Shutdown(SocketShutdown.Send);
        Assert.Equal("x", Encoding.ASCII.GetString(await Waylay.TestKit.TestData.ReadToEndAsync(pair.Peer).WaitAsync(Hang)));
        writer.Complete();
    }

    [Fact]
    public async Task Advance_BeyondTheMemoryGiven_Throws()
    {
        using var pair = await LoopbackPair.ConnectAsync();
        var writer = new SocketPipeWriter(pair.Polled);
        var length = writer.GetSpan(10).Length;

        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Advance(length + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Advance(-1));
        writer.Complete();
    }
}
