using System.Net;
using System.Net.Sockets;
using Waylay.Proxy.Connections;
using Waylay.Proxy.Io;
using Waylay.Proxy.Tests.Io;
using Xunit;

namespace Waylay.Proxy.Tests.Connections;

public sealed class ConnectionContextTests
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(10);

    private static ConnectionContext NewConnection() =>
        new(1, ListenerKind.Outbound, new ClientAddress(new IPEndPoint(IPAddress.Loopback, 40000)), 0);

    /// <summary>
    /// The idle sweep, a drain and quitquitquit close a connection with <see cref="ConnectionContext.Close"/>: a read
    /// parked on its polled socket with the closing token ends, though nothing was registered on the token.
    /// </summary>
    [Fact]
    public async Task Close_EndsAReadParkedOnThePolledSocket()
    {
        using var pair = await LoopbackPair.ConnectAsync();
        var connection = NewConnection();
        connection.Poll(pair.Polled);
        var reader = new SocketPipeReader(pair.Polled);
        var read = reader.ReadAsync(connection.Closing.Token).AsTask();
        await Task.Delay(100);
        Assert.False(read.IsCompleted, "a read with nothing to read completed");

        connection.Close();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read.WaitAsync(Hang));

        // And a read started afterwards does not park at all.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reader.ReadAsync(connection.Closing.Token).AsTask().WaitAsync(Hang));
        reader.Complete();
    }

    [Fact]
    public async Task PolledAfterClose_ReadFailsAtOnce_AndCloseAfterTheEnd_DoesNothing()
    {
        using var pair = await LoopbackPair.ConnectAsync();
        var connection = NewConnection();
        connection.Close();
        connection.Poll(pair.Polled);
        Assert.Equal(-1, pair.Polled.TryReceive(new byte[16])); // nothing there: the wait would park
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pair.Polled.WaitReadableAsync(connection.Closing.Token).AsTask().WaitAsync(Hang));

        // Ended: its token source is disposed; a late sweep is no error.
        connection.Closing.Dispose();
        connection.Close();
    }

    [Fact]
    public async Task LeftTheLoop_CloseNoLongerTouchesTheSocket()
    {
        using var pair = await LoopbackPair.ConnectAsync();
        var connection = NewConnection();
        connection.Poll(pair.Polled);
        connection.Poll(null);
        Assert.Null(connection.Polled);
        Assert.Equal(-1, pair.Polled.TryReceive(new byte[16]));
        var plain = pair.Polled.WaitReadableAsync(CancellationToken.None).AsTask();
        connection.Close();
        await pair.Peer.SendAsync("x"u8.ToArray(), SocketFlags.None);
        await plain.WaitAsync(Hang);
    }

    /// <summary>
    /// The pooled upstream socket carrying a request (<see cref="ConnectionContext.Carry"/>) waits for the response
    /// with the connection's closing token bound, not registered: Close ends that wait too.
    /// </summary>
    [Fact]
    public async Task Close_EndsTheResponseWaitOfTheCarriedUpstream()
    {
        using var upstream = await LoopbackPair.ConnectAsync();
        var connection = NewConnection();
        connection.Carry(upstream.Polled);
        Assert.Equal(-1, upstream.Polled.TryReceive(new byte[16]));
        var wait = upstream.Polled.WaitReadableAsync(connection.Closing.Token).AsTask();
        await Task.Delay(100);
        Assert.False(wait.IsCompleted, "a wait with nothing to read completed");

        connection.Close();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(Hang));
    }

    /// <summary>
    /// Once the try is over the socket goes back to the pool, and the next connection's request may carry it: a late
    /// Close of the first connection must not end the second's wait (it cancels only waits with its own token).
    /// </summary>
    [Fact]
    public async Task AfterTheTry_CloseLeavesTheNextCarriersWaitAlone()
    {
        using var upstream = await LoopbackPair.ConnectAsync();
        var first = NewConnection();
        var second = NewConnection();
        first.Carry(upstream.Polled);
        first.Carry(null);
        second.Carry(upstream.Polled);
        Assert.Equal(-1, upstream.Polled.TryReceive(new byte[16]));
        var wait = upstream.Polled.WaitReadableAsync(second.Closing.Token).AsTask();

        first.Close();
        await Task.Delay(100);
        Assert.False(wait.IsCompleted, "the first connection's close ended the second's wait");
        await upstream.Peer.SendAsync("x"u8.ToArray(), SocketFlags.None);
        await wait.WaitAsync(Hang);

        // A stale reference to the socket (read by a Close just as the try ended) cancels nothing of the second's either.
        Assert.Equal(1, upstream.Polled.TryReceive(new byte[16]));
        Assert.Equal(-1, upstream.Polled.TryReceive(new byte[16]));
        var next = upstream.Polled.WaitReadableAsync(second.Closing.Token).AsTask();
        upstream.Polled.CancelWaits(first.Closing.Token);
        await Task.Delay(100);
        Assert.False(next.IsCompleted, "a wait was cancelled by another connection's token");
        second.Close();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next.WaitAsync(Hang));
    }
}
