using System.Net;
using System.Net.Sockets;
using System.Text;
using Waylay.Proxy.Listeners;
using Waylay.Proxy.Tcp;
using Waylay.TestKit;
using Xunit;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy.Tests.Tcp;

/// <summary>The relay between real loopback sockets, with splice and with the pooled-buffer fallback.</summary>
public sealed class RelayTests
{
    public static TheoryData<bool> Modes => new() { true, false };

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task HalfClose_KeepsOtherDirectionOpen(bool splice)
    {
        await using var pair = await RelayPair.StartAsync(splice);
        await pair.Client.SendAsync("request"u8.ToArray(), SocketFlags.None);
        pair.Client.Shutdown(SocketShutdown.Send);

        // The server sees the request and then EOF, yet can still answer.
        Assert.Equal("request", Encoding.ASCII.GetString(await TestData.ReadToEndAsync(pair.Server)));
        await pair.Server.SendAsync("response after your FIN"u8.ToArray(), SocketFlags.None);
        pair.Server.Shutdown(SocketShutdown.Send);
        Assert.Equal("response after your FIN", Encoding.ASCII.GetString(await TestData.ReadToEndAsync(pair.Client)));

        Assert.Equal(RelayOutcome.Completed, await pair.Relay);
        Assert.Equal(7, pair.Connection.BytesToUpstream);
        Assert.Equal(23, pair.Connection.BytesToDownstream);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task LargeTransfer_ArrivesExactly_BothWaysAtOnce(bool splice)
    {
        await using var pair = await RelayPair.StartAsync(splice);
        const long size = 64L << 20;
        var up = TestData.SendRandomAsync(pair.Client, size, seed: 11);
        var down = TestData.SendRandomAsync(pair.Server, size, seed: 12);
        var atServer = TestData.ReceiveHashAsync(pair.Server);
        var atClient = TestData.ReceiveHashAsync(pair.Client);
        var sentUp = await up;
        pair.Client.Shutdown(SocketShutdown.Send);
        var sentDown = await down;
        pair.Server.Shutdown(SocketShutdown.Send);

        var (upLength, upHash) = await atServer;
        var (downLength, downHash) = await atClient;
        Assert.Equal(size, upLength);
        Assert.Equal(sentUp, upHash);
        Assert.Equal(size, downLength);
        Assert.Equal(sentDown, downHash);
        Assert.Equal(RelayOutcome.Completed, await pair.Relay);
        Assert.Equal(size, pair.Connection.BytesToUpstream);
        Assert.Equal(size, pair.Connection.BytesToDownstream);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Reset_IsPassedOnToTheOtherSide(bool splice)
    {
        await using var pair = await RelayPair.StartAsync(splice);
        await pair.Client.SendAsync("x"u8.ToArray(), SocketFlags.None);
        Assert.Equal("x", Encoding.ASCII.GetString(await TestData.ReceiveExactlyAsync(pair.Server, 1)));

        pair.Server.LingerState = new LingerOption(true, 0);
        pair.Server.Close();

        var error = await Assert.ThrowsAsync<SocketException>(async () =>
        {
            // The reset arrives as ECONNRESET on read (never as a clean EOF, which would fake a complete stream).
            var buffer = new byte[16];
            while (await pair.Client.ReceiveAsync(buffer, SocketFlags.None) > 0)
            {
            }
        });
        Assert.Equal(SocketError.ConnectionReset, error.SocketErrorCode);
        Assert.Equal(RelayOutcome.Reset, await pair.Relay);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Closing_AbortsBothSides(bool splice)
    {
        await using var pair = await RelayPair.StartAsync(splice);
        pair.Connection.Outcome = RelayOutcome.IdleTimeout;
        await pair.Connection.Closing.CancelAsync();
        Assert.Equal(RelayOutcome.IdleTimeout, await pair.Relay);
        var ended = await Record.ExceptionAsync(async () => Assert.Equal(0, await pair.Client.ReceiveAsync(new byte[1], SocketFlags.None)));
        Assert.True(ended is null or SocketException { SocketErrorCode: SocketError.ConnectionReset });
    }

    [Fact]
    public async Task Splice_ReusesPipes_AndHoldsNoneWhileIdle()
    {
        await using var pair = await RelayPair.StartAsync(splice: true);
        for (var i = 0; i < 50; i++)
        {
            await pair.Client.SendAsync("ping"u8.ToArray(), SocketFlags.None);
            await TestData.ReceiveExactlyAsync(pair.Server, 4);
        }

        // Fifty round trips one at a time: one pipe does it, and it goes back to the pool once the pump finds the
        // socket drained (just after the server has the bytes, hence the bounded wait).
        Assert.Equal(1, pair.Pipes!.Created);
        for (var i = 0; i < 100 && pair.Pipes.Idle != 1; i++)
        {
            await Task.Delay(10);
        }

        Assert.Equal(1, pair.Pipes.Idle);
    }

    /// <summary>client ⇄ [downstream | relay | upstream] ⇄ server, all on 127.0.0.1.</summary>
    private sealed class RelayPair : IAsyncDisposable
    {
        private readonly List<IDisposable> _owned = [];

        public Socket Client { get; private set; } = null!;

        public Socket Server { get; private set; } = null!;

        public ConnectionContext Connection { get; } = new(1, ListenerKind.Outbound, new ClientAddress(new IPEndPoint(IPAddress.Loopback, 1)), 0);

        public PipePool? Pipes { get; private set; }

        public Task<RelayOutcome> Relay { get; private set; } = null!;

        public static async Task<RelayPair> StartAsync(bool splice)
        {
            var pair = new RelayPair { Pipes = splice ? new PipePool() : null };
            var (client, downstream) = await ConnectedAsync();
            var (upstream, server) = await ConnectedAsync();
            pair.Client = client;
            pair.Server = server;
            pair._owned.AddRange([client, downstream, upstream, server]);
            pair.Relay = Waylay.Proxy.Tcp.Relay.RunAsync(downstream, upstream, pair.Connection, pair.Pipes, TimeProvider.System);
            return pair;
        }

        public async ValueTask DisposeAsync()
        {
            // As the proxy does: end the relay through its token first, then dispose. Disposing a socket while the
            // relay still holds its handle (DangerousAddRef, for splice's raw descriptors) blocks Dispose until the
            // relay lets go, and the relay may be waiting on that very socket: a deadlock seen in about a third of runs.
            await Connection.Closing.CancelAsync();
            await Relay.WaitAsync(TimeSpan.FromSeconds(30));
            _owned.ForEach(d => d.Dispose());
            Pipes?.Dispose();
        }

        private static async Task<(Socket Connector, Socket Accepted)> ConnectedAsync()
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen();
            var connector = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            var accept = listener.AcceptAsync();
            await connector.ConnectAsync(listener.LocalEndPoint!);
            return (connector, await accept);
        }
    }
}
