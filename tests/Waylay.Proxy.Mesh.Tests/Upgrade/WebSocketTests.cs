using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Waylay.Proxy.Mesh.Tests.Lab;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Mesh.Tests.Upgrade;

/// <summary>
/// Envoy's <c>upgrade_configs: websocket</c>, on in Istio by default: an HTTP/1.1 <c>Upgrade: websocket</c> request is
/// routed like any request, the 101 comes back, and from then on both sidecars carry the connection as a tunnel in
/// both directions (.NET's ClientWebSocket against a Kestrel echo app), including a message larger than any buffer,
/// and the close handshake; ordinary requests on other connections go on meanwhile.
/// </summary>
public sealed class WebSocketTests
{
    [NetnsFact]
    public async Task WebSocketEcho_ThroughBothSidecars_TextBinaryAndClose()
    {
        await using var pair = await SidecarPair.StartAsync();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var socket = await TestHttpClient.ConnectWebSocketAsync(pair.Client.Namespace, new Uri("ws://reviews:9080/ws"), SidecarPair.Hosts, cancellationToken: bound.Token);

        for (var i = 0; i < 20; i++)
        {
            var text = $"message {i} through two sidecars";
            await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, bound.Token);
            var (type, echoed) = await ReceiveMessageAsync(socket, bound.Token);
            Assert.Equal(WebSocketMessageType.Text, type);
            Assert.Equal(text, Encoding.UTF8.GetString(echoed));
        }

        // An HTTP request on its own connection while the tunnel is open.
        using (var client = pair.HttpClient())
        {
            Assert.Equal("v1", await client.GetStringAsync("http://reviews:9080/", bound.Token));
        }

        var large = RandomNumberGenerator.GetBytes(1 << 20);
        await socket.SendAsync(large, WebSocketMessageType.Binary, endOfMessage: true, bound.Token);
        var (largeType, largeEcho) = await ReceiveMessageAsync(socket, bound.Token);
        Assert.Equal(WebSocketMessageType.Binary, largeType);
        Assert.Equal(SHA256.HashData(large), SHA256.HashData(largeEcho));

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", bound.Token);
        Assert.Equal(WebSocketState.Closed, socket.State);
        Assert.Equal("bye", socket.CloseStatusDescription);

        var upgrade = Assert.Single(pair.App.Served, r => r.PathAndQuery == "/ws");
        Assert.Equal("reviews:9080", upgrade.Fields["host"]);
    }

    private static async Task<(WebSocketMessageType Type, byte[] Data)> ReceiveMessageAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        using var message = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return (result.MessageType, message.ToArray());
            }
        }
    }
}
