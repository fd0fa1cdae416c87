using System.Net;
using System.Net.Sockets;
using System.Text;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Tests.Kernel;

public sealed class DrainTests
{
    [NetnsFact]
    public async Task Drain_LetsOpenConnectionsFinish_RefusesNewOnes_AndExitsWhenTheyAreDone()
    {
        await using var lab = await PodWithPeer.CreateAsync("--drain-duration", "30s", "--parent-shutdown-duration", "40s");
        using var echo = lab.Peer.Serve(new IPEndPoint(PodWithPeer.PeerIp, 7000), TestServer.Echo);
        var destination = new IPEndPoint(PodWithPeer.PeerIp, 7000);
        using var open = await lab.Pod.ConnectAsync(destination);
        await EchoAsync(open, "before");

        Assert.Equal(200, (await lab.Proxy.PostAsync("/drain")).Status);
        Assert.Equal(503, (await lab.Proxy.GetAsync("/ready")).Status);

        // New connections: the capture port no longer listens, so the app's connect is refused at once.
        var refused = await Assert.ThrowsAsync<SocketException>(() => lab.Pod.ConnectAsync(destination));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);

        // The open one still works both ways, and its end ends the drain.
        await EchoAsync(open, "during the drain");
        open.Shutdown(SocketShutdown.Send);
        Assert.Equal(0, await open.ReceiveAsync(new byte[1], SocketFlags.None));
        Assert.True(await lab.Proxy.WaitForExitAsync(TimeSpan.FromSeconds(40)), "the proxy did not exit after its last connection closed");
        Assert.Equal(0, lab.Proxy.Process.ExitCode);
        Assert.Equal(1, echo.Accepted);
    }

    [NetnsFact]
    public async Task Sigterm_ClosesWhatIsStillOpenAtTheDrainDeadline_AndExitsWithinTheBound()
    {
        await using var lab = await PodWithPeer.CreateAsync("--drain-duration", "1s", "--parent-shutdown-duration", "5s");
        using var echo = lab.Peer.Serve(new IPEndPoint(PodWithPeer.PeerIp, 7000), TestServer.Echo);
        using var open = await lab.Pod.ConnectAsync(new IPEndPoint(PodWithPeer.PeerIp, 7000));
        await EchoAsync(open, "held open");

        await lab.Proxy.SignalAsync("TERM");

        // The held connection is closed by the proxy (reset), and the process is gone by the parent-shutdown bound.
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ended = await Record.ExceptionAsync(async () => Assert.Equal(0, await open.ReceiveAsync(new byte[16], SocketFlags.None, bound.Token)));
        Assert.True(ended is null or SocketException { SocketErrorCode: SocketError.ConnectionReset }, $"expected EOF or reset, got {ended}");
        Assert.True(await lab.Proxy.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the proxy outlived its parent-shutdown bound");
        Assert.Contains("draining (SIGTERM)", lab.Proxy.Output);
    }

    private static async Task EchoAsync(Socket socket, string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        await socket.SendAsync(bytes, SocketFlags.None);
        Assert.Equal(text, Encoding.ASCII.GetString(await TestData.ReceiveExactlyAsync(socket, bytes.Length)));
    }
}
