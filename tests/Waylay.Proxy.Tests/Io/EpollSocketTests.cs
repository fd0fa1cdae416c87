using System.Net;
using System.Net.Sockets;
using System.Text;
using Waylay.Proxy.Io;
using Waylay.TestKit;
using Xunit;
using static Waylay.Proxy.Tests.Io.IoTestData;

namespace Waylay.Proxy.Tests.Io;

/// <summary><see cref="EpollSocket"/> on real loopback sockets: peeking, both directions, leaving the loop (connecting: Pools/UpstreamConnectorTests).</summary>
public sealed class EpollSocketTests
{
    [Fact]
    public async Task Peek_LeavesTheBytes_MarkReadable_ThenAReadGetsThemWithoutANewSend()
    {
        using var pair = await LoopbackPair.ConnectAsync();
        await SendAllAsync(pair.Peer, "peek"u8.ToArray());
        var buffer = new byte[64];

        Assert.Equal(4, await PeekAtLeastAsync(pair.Polled, buffer, 4));
        Assert.Equal("peek", Encoding.ASCII.GetString(buffer, 0, 4));

        pair.Polled.MarkReadable();
        Array.Clear(buffer);
        Assert.Equal(4, pair.Polled.TryReceive(buffer));
        Assert.Equal("peek", Encoding.ASCII.GetString(buffer, 0, 4));
    }

    [Fact]
    public async Task Peek_WithoutMarkReadable_TheWaitIsForNewBytes()
    {
        using var pair = await LoopbackPair.ConnectAsync();
        var buffer = new byte[64];

        // The bytes arrive while a wait is parked, so their edge is taken before the peek (a late edge for bytes
        // already peeked would wake the next wait once, harmlessly, and is not what this test is about).
        Assert.Equal(-1, pair.Polled.TryReceive(buffer));
        var arrival = pair.Polled.WaitReadableAsync(CancellationToken.None).AsTask();
        await SendAllAsync(pair.Peer, "peek"u8.ToArray());
        await arrival.WaitAsync(Hang);
        Assert.Equal(4, await PeekAtLeastAsync(pair.Polled, buffer, 4));

        // The peeked bytes are no reason to wake: only a new edge is.
        Assert.Equal(-1, pair.Polled.TryReceive(buffer));
        var waiting = pair.Polled.WaitReadableAsync(CancellationToken.None).AsTask();
        await Task.Delay(200);
        Assert.False(waiting.IsCompleted);

        await SendAllAsync(pair.Peer, "more"u8.ToArray());
        await waiting.WaitAsync(Hang);
        Assert.Equal(8, pair.Polled.TryReceive(buffer));
        Assert.Equal("peekmore", Encoding.ASCII.GetString(buffer, 0, 8));
    }

    [Fact]
    public async Task TryReceive_NothingSent_ReturnsMinusOne_AndAnEdgeWakesTheWait()
    {
        using var pair = await LoopbackPair.ConnectAsync();
        var buffer = new byte[16];

        Assert.Equal(-1, pair.Polled.TryReceive(buffer));
        var waiting = pair.Polled.WaitReadableAsync(CancellationToken.None).AsTask();
        await SendAllAsync(pair.Peer, "x"u8.ToArray());
        await waiting.WaitAsync(Hang);

        Assert.Equal(1, pair.Polled.TryReceive(buffer));
        Assert.Equal((byte)'x', buffer[0]);
    }

    [Fact]
    public async Task BothDirectionsAtOnce_TwoMiBEachWay_ArriveExactly()
    {
        using var pair = await LoopbackPair.ConnectAsync(buffers: 64 * 1024);
        var up = Pattern(2 << 20, seed: 8);
        var down = Pattern(2 << 20, seed: 9);
        var reader = new SocketPipeReader(pair.Polled);
        var writer = new SocketPipeWriter(pair.Polled);

        var reading = Task.Run(() => ReadToEndAsync(reader));
        var writing = Task.Run(async () =>
        {
            for (var at = 0; at < down.Length; at += 50_000)
            {
                var take = Math.Min(50_000, down.Length - at);
                down.AsSpan(at, take).CopyTo(writer.GetSpan(take));
                writer.Advance(take);
                await writer.FlushAsync().Bounded();
            }

            pair.Socket.Shutdown(SocketShutdown.Send);
        });
        var peerSending = Task.Run(async () =>
        {
            await SendAllAsync(pair.Peer, up);
            pair.Peer.Shutdown(SocketShutdown.Send);
        });
        var peerReceiving = ReceiveSlowlyToEndAsync(pair.Peer);

        await Task.WhenAll(writing, peerSending).WaitAsync(Hang);
        Assert.Equal(up, await reading.WaitAsync(Hang));
        Assert.Equal(down, await peerReceiving.WaitAsync(Hang));
        reader.Complete();
        writer.Complete();
    }

    [Fact]
    public async Task Detach_TheSocketThenWorksWithDotNetAsyncOperations()
    {
        using var pair = await LoopbackPair.ConnectAsync();
        await SendAllAsync(pair.Peer, "before"u8.ToArray());
        var buffer = new byte[64];
        Assert.Equal(6, await PeekAtLeastAsync(pair.Polled, buffer, 6));

        pair.Polled.Detach();
        await Assert.ThrowsAsync<SocketException>(() => pair.Polled.WaitReadableAsync(CancellationToken.None).Bounded());

        await SendAllAsync(pair.Peer, "after"u8.ToArray());
        var received = await TestData.ReceiveExactlyAsync(pair.Socket, 11).WaitAsync(Hang);
        Assert.Equal("beforeafter", Encoding.ASCII.GetString(received));
        await pair.Socket.SendAsync("reply"u8.ToArray(), SocketFlags.None).WaitAsync(Hang);
        Assert.Equal("reply", Encoding.ASCII.GetString(await TestData.ReceiveExactlyAsync(pair.Peer, 5).WaitAsync(Hang)));
    }

    [Fact]
    public async Task Dispose_WhileAReadIsParked_TheReadFailsAsAborted()
    {
        using var pair = await LoopbackPair.ConnectAsync();
        var reader = new SocketPipeReader(pair.Polled);
        var pending = reader.ReadAsync().AsTask();
        Assert.False(pending.IsCompleted);

        pair.Polled.Dispose();

        var error = await Assert.ThrowsAsync<SocketException>(() => pending.WaitAsync(Hang));
        Assert.Equal(SocketError.OperationAborted, error.SocketErrorCode);

        // And every later wait fails the same way instead of parking forever.
        var later = await Assert.ThrowsAsync<SocketException>(() => pair.Polled.WaitReadableAsync(CancellationToken.None).Bounded());
        Assert.Equal(SocketError.OperationAborted, later.SocketErrorCode);
        reader.Complete();
    }

    [Fact]
    public async Task Dispose_WhileASendWaitsForRoom_TheSendFailsAsAborted()
    {
        using var pair = await LoopbackPair.ConnectAsync(buffers: 64 * 1024);
        var sending = pair.Polled.SendThroughWriterAsync(Pattern(8 << 20, seed: 10), CancellationToken.None);
        Assert.False(sending.IsCompleted);

        pair.Polled.Dispose();

        var error = await Assert.ThrowsAsync<SocketException>(() => sending.WaitAsync(Hang));
        Assert.Equal(SocketError.OperationAborted, error.SocketErrorCode);
    }

    /// <summary>Peeks until at least <paramref name="count"/> bytes are there, waiting for an edge between peeks.</summary>
    private static async Task<int> PeekAtLeastAsync(EpollSocket socket, byte[] buffer, int count)
    {
        while (true)
        {
            var peeked = socket.TryReceive(buffer, peek: true);
            if (peeked >= count)
            {
                return peeked;
            }

            if (peeked == 0)
            {
                throw new EndOfStreamException($"the peer closed before {count} bytes");
            }

            await socket.WaitReadableAsync(CancellationToken.None).Bounded();
        }
    }

    [Fact]
    public async Task CancelWith_BoundWaitIsEndedByCancelBoundWaits_AndOneStartedAfter_WhileOtherTokensKeepTheirOwn()
    {
        using var pair = await LoopbackPair.ConnectAsync();
        using var closing = new CancellationTokenSource();
        pair.Polled.CancelWith(closing.Token);
        Assert.Equal(-1, pair.Polled.TryReceive(new byte[16]));

        // Parked on the bound token: nothing is registered on it; its owner ends the wait when it cancels the token
        // (ConnectionContext.Close).
        var parked = pair.Polled.WaitReadableAsync(closing.Token).AsTask();
        await Task.Delay(100);
        Assert.False(parked.IsCompleted, "a wait with nothing to read completed");
        closing.Cancel();
        pair.Polled.CancelBoundWaits();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => parked.WaitAsync(Hang));

        // Started after the cancellation: fails at once instead of parking for an edge that may never come.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pair.Polled.WaitReadableAsync(closing.Token).AsTask().WaitAsync(Hang));

        // Another token still cancels its own wait, and an edge still ends a wait with no token.
        using var other = new CancellationTokenSource();
        var own = pair.Polled.WaitReadableAsync(other.Token).AsTask();
        other.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => own.WaitAsync(Hang));
        var plain = pair.Polled.WaitReadableAsync(CancellationToken.None).AsTask();
        await pair.Peer.SendAsync("x"u8.ToArray(), SocketFlags.None);
        await plain.WaitAsync(Hang);
        Assert.Equal(1, pair.Polled.TryReceive(new byte[16]));
    }
    [Fact]
    public async Task WriteWait_MadeWhenASendFirstFindsNoRoom_IsEndedByCancelBoundWaits_ThenTheNextEndsWhenThePeerReads()
    {
        using var pair = await LoopbackPair.ConnectAsync(buffers: 64 * 1024);
        using var closing = new CancellationTokenSource();
        pair.Polled.CancelWith(closing.Token);

        // Room at first: the wait completes without parking (the socket's write wait is made only when one must park).
        await pair.Polled.WaitWritableAsync(closing.Token).Bounded();

        // The peer reads nothing: fill the kernel's buffers until a send finds no room and the wait parks (bytes still
        // moving from the send queue to the peer's receive queue may make room once or twice more: an edge, sent into).
        var chunk = Pattern(64 * 1024, seed: 11);
        var queued = 0L;
        Task parked;
        while (true)
        {
            while (pair.Polled.TrySend(chunk) is var sent and >= 0)
            {
                queued += sent;
            }

            // Parked on the bound token (the connection's closing): its owner's close ends it, nothing registered.
            parked = pair.Polled.WaitWritableAsync(closing.Token).AsTask();
            await Task.Delay(100);
            if (!parked.IsCompleted)
            {
                break;
            }

            await parked;
        }

        closing.Cancel();
        pair.Polled.CancelBoundWaits();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => parked.WaitAsync(Hang));

        // The next wait (another token) parks on the same object and ends when the peer reads and makes room.
        using var other = new CancellationTokenSource();
        var waiting = pair.Polled.WaitWritableAsync(other.Token).AsTask();
        Assert.False(waiting.IsCompleted, "a write wait with no room completed");
        var drained = 0L;
        var buffer = new byte[256 * 1024];
        while (!waiting.IsCompleted && drained < queued)
        {
            drained += await pair.Peer.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(Hang);
        }

        await waiting.WaitAsync(Hang);
        Assert.True(pair.Polled.TrySend(chunk) > 0);
    }
}
