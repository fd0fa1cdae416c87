using System.Net.Sockets;
using Xunit;

namespace Waylay.Proxy.Tests.Kernel;

internal static class Expect
{
    /// <summary>
    /// The proxy closes the connection it accepted: the client sees EOF or a reset, on its first read or, when the
    /// reset overtakes the handshake's completion, already on connect. It must not hang (bounded at 20 s).
    /// </summary>
    public static async Task ClosedAsync(Func<Task<Socket>> connect)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var ended = await Record.ExceptionAsync(async () =>
        {
            using var client = await connect();
            Assert.Equal(0, await client.ReceiveAsync(new byte[16], SocketFlags.None, bound.Token));
        });
        Assert.True(ended is null or SocketException { SocketErrorCode: SocketError.ConnectionReset }, $"expected EOF or reset, got {ended}");
    }
}
