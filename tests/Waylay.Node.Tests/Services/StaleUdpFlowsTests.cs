using System.Net;
using System.Net.Sockets;
using System.Text;
using Waylay.Mesh;
using Waylay.Node.Pods;
using Waylay.TestKit;

namespace Waylay.Node.Tests.Services;

public sealed class StaleUdpFlowsTests
{
    private static readonly Dictionary<string, ushort> NoPorts = [];
    private static readonly Dictionary<string, string> NoLabels = [];

    /// <summary>
    /// One UDP socket keeps its flow (same 5-tuple): conntrack would keep DNATing it to the old endpoint for as long as
    /// packets keep coming, unless the sync ends the flow as kube-proxy does.
    /// </summary>
    [NetnsFact]
    public async Task AUdpFlowToAnEndpointThatWentAway_MovesToAReadyOne()
    {
        await using var runtime = TestRuntime.Create();
        var client = await runtime.StartPodAsync(TestRuntime.Pod("client"), 1, CancellationToken.None);
        var a = await runtime.StartPodAsync(TestRuntime.Pod("dns-a"), 1, CancellationToken.None);
        var b = await runtime.StartPodAsync(TestRuntime.Pod("dns-b"), 1, CancellationToken.None);
        using var serverA = UdpNameServer(a, "dns-a");
        using var serverB = UdpNameServer(b, "dns-b");
        var service = await runtime.Services.ApplyAsync(
            new Service("names", "default", [], [new ServicePort("dns", 5353, 5353, TransportProtocol.Udp)], [new Endpoint(a.Address, NoPorts, NoLabels)]),
            CancellationToken.None);
        var target = new IPEndPoint(service.Addresses[0], 5353);
        using var socket = InNamespace.Invoke(client.NamespacePath, () =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 10_000 };
            s.Bind(new IPEndPoint(IPAddress.Any, 0));
            return s;
        });

        Assert.Equal("dns-a", Ask(socket, target));
        Assert.Equal("dns-a", Ask(socket, target));

        await runtime.Services.SetEndpointsAsync("default", "names", [new Endpoint(b.Address, NoPorts, NoLabels)], CancellationToken.None);

        Assert.Equal("dns-b", Ask(socket, target));
    }

    [Fact]
    public void Deletions_AreForGoneEndpointsAndForPortsThatGotTheirFirst()
    {
        static Service Names(params string[] endpoints) => new(
            "names", "default", [IPAddress.Parse("10.96.0.20")], [new ServicePort("dns", 53, 53, TransportProtocol.Udp), new ServicePort("tcp", 80, 80)],
            [.. endpoints.Select(e => new Endpoint(IPAddress.Parse(e), NoPorts, NoLabels))]);

        var none = Waylay.Node.Services.StaleUdpFlows.Of([Names()]);
        var one = Waylay.Node.Services.StaleUdpFlows.Of([Names("10.244.1.2")]);
        var other = Waylay.Node.Services.StaleUdpFlows.Of([Names("10.244.1.3")]);

        Assert.Equal(["conntrack -D -p udp --orig-dst 10.96.0.20 --orig-port-dst 53"], one.DeletionsSince(none).Select(d => string.Join(' ', d)));
        Assert.Equal(["conntrack -D -p udp --orig-dst 10.96.0.20 --orig-port-dst 53 --dst-nat 10.244.1.2"], other.DeletionsSince(one).Select(d => string.Join(' ', d)));
        Assert.Empty(one.DeletionsSince(one));
    }

    private static string Ask(Socket socket, IPEndPoint target)
    {
        socket.SendTo("?"u8, target);
        var buffer = new byte[64];
        var length = socket.Receive(buffer);
        return Encoding.ASCII.GetString(buffer, 0, length);
    }

    /// <summary>Answers every datagram with its name, from a socket made in the pod's namespace.</summary>
    private static Socket UdpNameServer(PodSandbox pod, string name)
    {
        var socket = InNamespace.Invoke(pod.NamespacePath, () =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(IPAddress.Any, 5353));
            return s;
        });
        _ = Task.Run(async () =>
        {
            var buffer = new byte[64];
            try
            {
                while (true)
                {
                    var received = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0));
                    await socket.SendToAsync(Encoding.ASCII.GetBytes(name), received.RemoteEndPoint);
                }
            }
            catch (Exception e) when (e is ObjectDisposedException or SocketException)
            {
                // The test is over.
            }
        });
        return socket;
    }
}
