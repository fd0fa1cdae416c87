using System.Net;
using Waylay.Proxy.Connections;
using Waylay.Proxy.Io;
using Waylay.Proxy.Pools;
using Xunit;
using static Waylay.Proxy.Tests.Io.IoTestData;

namespace Waylay.Proxy.Tests.Pools;

/// <summary><see cref="Http1UpstreamPool"/>'s new connections on real loopback sockets.</summary>
public sealed class Http1UpstreamPoolTests
{
    /// <summary>
    /// A new connection's connect is carried by the downstream connection while it waits (nothing registered on its
    /// closing token): that connection's close (a drain, the idle sweep) ends the connect as its token would have.
    /// </summary>
    [Fact]
    public async Task GetAsync_ConnectCarriedByTheConnection_ItsCloseEndsTheConnect_ThenTheCarrierIsFree()
    {
        using var listener = UpstreamConnectorTests.Unanswering(out var target, out var filler);
        using (filler)
        {
            await using var pool = new Http1UpstreamPool(new UpstreamConnector(TimeSpan.FromSeconds(30), TimeProvider.System), TimeProvider.System);
            using var connection = new ConnectionContext(1, ListenerKind.Outbound, new ClientAddress(new IPEndPoint(IPAddress.Loopback, 40000)), 0);

            var getting = pool.GetAsync(target, null, null, null, verifyIdle: false, fresh: false, EpollLoop.Next(), connection,
                connection.Closing.Token).AsTask();
            await Task.Delay(100);
            Assert.False(getting.IsCompleted, "a connect to a port that drops SYNs completed");
            Assert.Null(Registrations(connection));

            connection.Close();

            var (upstream, failure, reused) = await getting.WaitAsync(Hang);
            Assert.Null(upstream);
            Assert.Equal(RelayOutcome.ClosedByProxy, failure);
            Assert.False(reused);
            Assert.Empty(pool.Open);
        }
    }

    /// <summary>A connect that completes leaves its connection carrying nothing: the try carries the upstream itself.</summary>
    [Fact]
    public async Task GetAsync_ConnectCarried_Completes_ConnectionOpen()
    {
        using var listener = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream,
            System.Net.Sockets.ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        await using var pool = new Http1UpstreamPool(new UpstreamConnector(TimeSpan.FromSeconds(30), TimeProvider.System), TimeProvider.System);
        using var connection = new ConnectionContext(1, ListenerKind.Outbound, new ClientAddress(new IPEndPoint(IPAddress.Loopback, 40000)), 0);

        var (upstream, failure, _) = await pool.GetAsync((IPEndPoint)listener.LocalEndPoint!, null, null, null, verifyIdle: false, fresh: false,
            EpollLoop.Next(), connection, connection.Closing.Token).AsTask().WaitAsync(Hang);

        Assert.Equal(RelayOutcome.Open, failure);
        Assert.NotNull(upstream);
        Assert.Null(Registrations(connection));
        using var accepted = await listener.AcceptAsync().WaitAsync(Hang);
        await pool.ReleaseAsync(upstream, null, reusable: false, null);
        Assert.Empty(pool.Open);
    }

    /// <summary>
    /// The token source's table of registrations, made at its first registration and kept for its life (with a free
    /// node after the registration is gone): what a held connection must not carry. Private to the runtime, so looked
    /// up by name, and the lookup itself asserted: a runtime that renames it fails here rather than passing blindly.
    /// </summary>
    private static object? Registrations(CancellationTokenSource source)
    {
        var field = typeof(CancellationTokenSource).GetField("_registrations", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic);
        Assert.NotNull(field);
        return field.GetValue(source);
    }
}
