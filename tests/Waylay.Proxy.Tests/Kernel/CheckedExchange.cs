using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Tests.Kernel;

/// <summary>
/// One connection whose every byte is checked, both ways, with a pause while it is open to look at the proxies:
/// the client sends a seeded stream and keeps the connection open while the test inspects /connections; then it
/// half-closes, and the server answers with the SHA-256 of what it got and a seeded stream of its own, and closes.
/// </summary>
internal sealed class CheckedExchange
{
    public const long Upload = 16L << 20;
    public const long Download = 16L << 20;

    private readonly TaskCompletionSource<byte[]> _serverSent = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The server's behaviour (give it to <see cref="TestPod.Serve"/>).</summary>
    public Func<Socket, CancellationToken, Task> Server => async (socket, ct) =>
    {
        var (_, hash) = await TestData.ReceiveHashAsync(socket, ct);
        await socket.SendAsync(hash, SocketFlags.None, ct);
        _serverSent.TrySetResult(await TestData.SendRandomAsync(socket, Download, seed: 12, ct));
        socket.Shutdown(SocketShutdown.Send);
    };

    public async Task RunAsync(TestPod client, IPEndPoint destination, Func<Task> whileOpen)
    {
        using var socket = await client.ConnectAsync(destination);
        var sent = await TestData.SendRandomAsync(socket, Upload, seed: 11);
        await whileOpen();
        socket.Shutdown(SocketShutdown.Send);

        Assert.Equal(sent, await TestData.ReceiveExactlyAsync(socket, 32));
        var (length, hash) = await TestData.ReceiveHashAsync(socket);
        Assert.Equal(Download, length);
        Assert.Equal(await _serverSent.Task.WaitAsync(TimeSpan.FromSeconds(60)), hash);
    }

    /// <summary>Waits until the proxy's /connections lists a connection to <paramref name="originalDestination"/> and returns it.</summary>
    public static async Task<JsonElement> LiveConnectionAsync(TestProxy proxy, IPEndPoint originalDestination)
    {
        var wanted = originalDestination.ToString();
        JsonElement found = default;
        var seen = "";
        try
        {
            await Wait.UntilAsync(async () =>
            {
                var (_, body) = await proxy.GetAsync("/connections");
                seen = body;
                foreach (var connection in JsonDocument.Parse(body).RootElement.EnumerateArray())
                {
                    if (connection.GetProperty("originalDestination").GetString() == wanted)
                    {
                        found = connection.Clone();
                        return true;
                    }
                }

                return false;
            }, $"a live connection to {wanted} in /connections");
        }
        catch (Xunit.Sdk.XunitException e)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message}; it listed: {seen}{Environment.NewLine}{proxy.Output}");
        }

        return found;
    }
}
