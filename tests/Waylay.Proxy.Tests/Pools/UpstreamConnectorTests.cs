using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Waylay.Proxy.Connections;
using Waylay.Proxy.Io;
using Waylay.Proxy.Pools;
using Waylay.Proxy.Tests.Io;
using Waylay.TestKit;
using Xunit;
using static Waylay.Proxy.Tests.Io.IoTestData;

namespace Waylay.Proxy.Tests.Pools;

/// <summary>
/// The HTTP/1 upstream's connect (<see cref="UpstreamConnector.StartPolled"/>): made with the system calls themselves on
/// real loopback sockets, and every failure leaving its descriptor closed (looked up in /proc/self/fd by number and
/// socket inode, so a descriptor that another test opened meanwhile under the same number does not count).
/// </summary>
public sealed class UpstreamConnectorTests
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task StartPolled_ToAListeningPort_Connects_LocalAddressIsTheOneThePeerSees_BytesFlow()
    {
        using var listener = Listen(IPAddress.Loopback);
        var connector = new UpstreamConnector(ConnectTimeout, TimeProvider.System);

        var (socket, outcome) = await ConnectAsync(connector, (IPEndPoint)listener.LocalEndPoint!, null, CancellationToken.None);
        using var accepted = await listener.AcceptAsync().WaitAsync(Hang);

        Assert.Equal(RelayOutcome.Open, outcome);
        Assert.Equal(accepted.RemoteEndPoint, socket!.LocalEndPoint());
        using (var view = new Socket(new SafeSocketHandle(socket.Descriptor, ownsHandle: false)))
        {
            Assert.True(view.NoDelay); // TCP_NODELAY, as every upstream socket had it from .NET
        }

        await socket.SendThroughWriterAsync("over the loop"u8.ToArray(), CancellationToken.None).WaitAsync(Hang);
        Assert.Equal("over the loop", Encoding.ASCII.GetString(await TestData.ReceiveExactlyAsync(accepted, 13).WaitAsync(Hang)));
        var descriptor = Descriptor(socket);
        socket.Close();
        Assert.NotEqual(descriptor, Descriptor(socket));
    }

    [Fact]
    public async Task StartPolled_ToAnIpv6Listener_Connects()
    {
        using var listener = Listen(IPAddress.IPv6Loopback);
        var connector = new UpstreamConnector(ConnectTimeout, TimeProvider.System);

        var (socket, outcome) = await ConnectAsync(connector, (IPEndPoint)listener.LocalEndPoint!, null, CancellationToken.None);
        using var accepted = await listener.AcceptAsync().WaitAsync(Hang);

        Assert.Equal(RelayOutcome.Open, outcome);
        Assert.Equal(IPAddress.IPv6Loopback, socket!.LocalEndPoint()!.Address);
        Assert.Equal(accepted.RemoteEndPoint, socket.LocalEndPoint());
        socket.Close();
    }

    [Fact]
    public async Task StartPolled_WithThePassthroughSource_ThePeerSees127_0_0_6()
    {
        using var listener = Listen(IPAddress.Loopback);
        var connector = new UpstreamConnector(ConnectTimeout, TimeProvider.System);

        var (socket, outcome) = await ConnectAsync(connector, (IPEndPoint)listener.LocalEndPoint!, new IPEndPoint(IPAddress.Parse("127.0.0.6"), 0),
            CancellationToken.None);
        using var accepted = await listener.AcceptAsync().WaitAsync(Hang);

        Assert.Equal(RelayOutcome.Open, outcome);
        Assert.Equal(IPAddress.Parse("127.0.0.6"), ((IPEndPoint)accepted.RemoteEndPoint!).Address);
        socket!.Close();
    }

    [Fact]
    public async Task StartPolled_ToARefusingPort_ConnectFailed_DescriptorClosed()
    {
        using var refusing = new RefusingPort();
        var connector = new UpstreamConnector(ConnectTimeout, TimeProvider.System);
        var connect = connector.StartPolled(new IPEndPoint(IPAddress.Loopback, refusing.Port), null, EpollLoop.Next(), CancellationToken.None);
        var descriptor = Descriptor(connect.Socket!);

        Assert.Equal(RelayOutcome.ConnectFailed, await FinishAsync(connect, CancellationToken.None));
        Assert.NotEqual(descriptor, Descriptor(connect.Socket!));
    }

    [Fact]
    public async Task StartPolled_WhenTheTimerFires_ConnectTimeout_DescriptorClosed()
    {
        using var listener = Unanswering(out var target, out var filler);
        using (filler)
        {
            var time = new FakeTimeProvider();
            var connector = new UpstreamConnector(ConnectTimeout, time);
            var connect = connector.StartPolled(target, null, EpollLoop.Next(), CancellationToken.None);
            var descriptor = Descriptor(connect.Socket!);
            var finishing = FinishAsync(connect, CancellationToken.None);
            Assert.False(finishing.IsCompleted);

            time.Advance(ConnectTimeout);

            Assert.Equal(RelayOutcome.ConnectTimeout, await finishing.WaitAsync(Hang));
            Assert.NotEqual(descriptor, Descriptor(connect.Socket!));
        }
    }

    [Fact]
    public async Task StartPolled_CancelledWhileConnecting_ClosedByProxy_DescriptorClosed()
    {
        using var listener = Unanswering(out var target, out var filler);
        using (filler)
        {
            using var cancel = new CancellationTokenSource();
            var connector = new UpstreamConnector(ConnectTimeout, TimeProvider.System);
            var connect = connector.StartPolled(target, null, EpollLoop.Next(), cancel.Token);
            var descriptor = Descriptor(connect.Socket!);
            var finishing = FinishAsync(connect, cancel.Token);
            Assert.False(finishing.IsCompleted);

            cancel.Cancel();

            Assert.Equal(RelayOutcome.ClosedByProxy, await finishing.WaitAsync(Hang));
            Assert.NotEqual(descriptor, Descriptor(connect.Socket!));
        }
    }

    [Fact]
    public void StartPolled_AlreadyCancelled_ClosedByProxy_NothingOpened()
    {
        using var listener = Listen(IPAddress.Loopback);
        var connector = new UpstreamConnector(ConnectTimeout, TimeProvider.System);

        var connect = connector.StartPolled((IPEndPoint)listener.LocalEndPoint!, null, EpollLoop.Next(), new CancellationToken(canceled: true));

        Assert.Null(connect.Socket);
        Assert.Equal(RelayOutcome.ClosedByProxy, connect.Failure);
        Assert.False(listener.Poll(0, SelectMode.SelectRead)); // no connection waits to be accepted
    }

    [Fact]
    public void StartPolled_ASourceOfTheOtherFamily_ConnectFailedAtOnce()
    {
        using var listener = Listen(IPAddress.Loopback);
        var connector = new UpstreamConnector(ConnectTimeout, TimeProvider.System);

        var connect = connector.StartPolled((IPEndPoint)listener.LocalEndPoint!, new IPEndPoint(IPAddress.IPv6Loopback, 0), EpollLoop.Next(), CancellationToken.None);

        Assert.Null(connect.Socket);
        Assert.Equal(RelayOutcome.ConnectFailed, connect.Failure);
    }

    /// <summary>As the HTTP/1 pool does it: start, await the edge, finish.</summary>
    private static async Task<(EpollSocket? Socket, RelayOutcome Outcome)> ConnectAsync(UpstreamConnector connector, IPEndPoint target, IPEndPoint? source,
        CancellationToken cancellationToken)
    {
        var connect = connector.StartPolled(target, source, EpollLoop.Next(), cancellationToken);
        if (connect.Socket is null)
        {
            return (null, connect.Failure);
        }

        var outcome = await FinishAsync(connect, cancellationToken).WaitAsync(Hang);
        return (outcome == RelayOutcome.Open ? connect.Socket : null, outcome);
    }

    private static async Task<RelayOutcome> FinishAsync(PolledConnect connect, CancellationToken cancellationToken)
    {
        Exception? failure = null;
        try
        {
            await connect.WaitAsync(cancellationToken);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            failure = e;
        }

        return connect.Finish(failure);
    }

    /// <summary>The descriptor's number with its socket inode ("12:socket:[345]"), or its number alone once closed.</summary>
    private static string Descriptor(EpollSocket socket)
    {
        string? link;
        try
        {
            link = new FileInfo($"/proc/self/fd/{socket.Descriptor}").LinkTarget;
        }
        catch (IOException)
        {
            link = null;
        }

        return $"{socket.Descriptor}:{link}";
    }

    private static Socket Listen(IPAddress address)
    {
        var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(address, 0));
        listener.Listen();
        return listener;
    }

    /// <summary>
    /// listen(2) with backlog 0 queues one connection; while the filler sits unaccepted the kernel drops further SYNs,
    /// so a connect to it stays in progress until its timer or its caller ends it.
    /// </summary>
    internal static Socket Unanswering(out IPEndPoint target, out Socket filler)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(0);
        target = (IPEndPoint)listener.LocalEndPoint!;
        filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        filler.Connect(target);
        return listener;
    }
}
