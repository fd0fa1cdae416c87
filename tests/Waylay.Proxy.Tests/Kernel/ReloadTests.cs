using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Tests.Kernel;

public sealed class ReloadTests
{
    private static string Mesh(string version, int endpoint) => $$"""
        version: {{version}}
        services:
        - name: moving
          addresses: [10.96.0.40]
          ports: [{port: 7000}]
          endpoints:
          - address: 10.244.1.1{{endpoint}}
        """;

    [NetnsFact]
    public async Task ConfigFileChange_NewConnectionsUseIt_OpenOnesAreNotCut_BadEditsAreRejected()
    {
        using var mesh = new MeshFile(Mesh("one", 1));
        await using var lab = await PodWithPeer.CreateAsync("--config", mesh.Path);
        using var first = lab.Peer.Serve(new IPEndPoint(PodWithPeer.Endpoint(1), 7000), NamedEcho("one"));
        using var second = lab.Peer.Serve(new IPEndPoint(PodWithPeer.Endpoint(2), 7000), NamedEcho("two"));
        var service = new IPEndPoint(IPAddress.Parse("10.96.0.40"), 7000);

        using var old = await lab.Pod.ConnectAsync(service);
        Assert.Equal("one", Encoding.ASCII.GetString(await TestData.ReceiveExactlyAsync(old, 3)));

        mesh.Write(Mesh("two", 2));
        await Wait.UntilAsync(async () => await VersionAsync(lab.Proxy) == "two", "the proxy to load version two");
        using (var fresh = await lab.Pod.ConnectAsync(service))
        {
            Assert.Equal("two", Encoding.ASCII.GetString(await TestData.ReceiveExactlyAsync(fresh, 3)));
        }

        // The connection accepted under version one still relays.
        await old.SendAsync("still here"u8.ToArray(), SocketFlags.None);
        Assert.Equal("still here", Encoding.ASCII.GetString(await TestData.ReceiveExactlyAsync(old, 10)));

        // A broken edit is logged with its field path and changes nothing.
        mesh.Write("version: three\nservices:\n- name: moving\n  addresses: [10.96.0.400]\n  ports: [{port: 7000}]\n");
        await Wait.UntilAsync(() => Task.FromResult(lab.Proxy.Output.Contains("services[0].addresses[0]", StringComparison.Ordinal)), "the rejection to be logged");
        Assert.Equal("two", await VersionAsync(lab.Proxy));
    }

    private static async Task<string?> VersionAsync(TestProxy proxy) =>
        JsonDocument.Parse((await proxy.GetAsync("/config_dump")).Body).RootElement.GetProperty("version").GetString();

    private static Func<Socket, CancellationToken, Task> NamedEcho(string name) => async (socket, ct) =>
    {
        await socket.SendAsync(Encoding.ASCII.GetBytes(name), SocketFlags.None, ct);
        await TestServer.Echo(socket, ct);
    };
}
