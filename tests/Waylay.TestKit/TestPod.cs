using System.Net;
using System.Net.Sockets;

namespace Waylay.TestKit;

/// <summary>
/// A pod for proxy tests: a namespace of its own with an <c>eth0</c> and an address, optionally capture rules (the
/// real <c>waylay capture</c>) and a sidecar (the real <c>waylay proxy</c> as uid 1337). Pods are joined pairwise by a
/// veth pair, so nothing is ever routed towards the host.
/// </summary>
public sealed class TestPod : IAsyncDisposable
{
    /// <summary>The istio-iptables flags of a standard injected pod: outbound to 15001, inbound to 15006, all ports.</summary>
    public static readonly string[] StandardCapture = ["-p", "15001", "-z", "15006", "-u", "1337", "-m", "REDIRECT", "-i", "*", "-b", "*"];

    private TestPod(TestNamespace ns, IPAddress ip)
    {
        Namespace = ns;
        Ip = ip;
    }

    public TestNamespace Namespace { get; }

    public IPAddress Ip { get; }

    public TestProxy? Proxy { get; private set; }

    /// <summary>Two pods joined by a veth pair (<c>eth0</c> on each side), e.g. "10.244.1.2/24" and "10.244.1.3/24".</summary>
    public static async Task<(TestPod A, TestPod B)> CreatePairAsync(string aCidr, string bCidr)
    {
        var a = await TestNamespace.CreateAsync();
        TestNamespace? b = null;
        try
        {
            b = await TestNamespace.CreateAsync();
            await TestLink.ConnectAsync(a, "eth0", [aCidr], b, "eth0", [bCidr]);

            // Everything else (service ClusterIPs) goes out eth0 to the other pod, so connect() reaches the OUTPUT
            // chain where capture redirects it; nothing leads out of the two namespaces.
            await a.IpAsync("route", "add", "default", "dev", "eth0");
            await b.IpAsync("route", "add", "default", "dev", "eth0");
            return (new TestPod(a, IPAddress.Parse(aCidr.Split('/')[0])), new TestPod(b, IPAddress.Parse(bCidr.Split('/')[0])));
        }
        catch
        {
            await a.DisposeAsync();
            if (b is not null)
            {
                await b.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>Applies capture rules with the real CLI (istio-iptables flags).</summary>
    public Task CaptureAsync(params string[] arguments) => Namespace.CaptureAsync(arguments);

    /// <summary>Starts the sidecar as uid 1337 and waits until it is ready.</summary>
    public async Task<TestProxy> StartProxyAsync(params string[] arguments)
    {
        Proxy = await TestProxy.StartAsync(Namespace, arguments);
        return Proxy;
    }

    /// <summary>Starts the sidecar for TPROXY capture (root with gid 1337, <c>--tproxy</c>) and waits until it is ready.</summary>
    public async Task<TestProxy> StartTransparentProxyAsync(params string[] arguments)
    {
        Proxy = await TestProxy.StartTransparentAsync(Namespace, arguments);
        return Proxy;
    }

    /// <summary>Adds an IPv6 address to eth0 (no DAD) and an IPv6 default route out of it, like the IPv4 one.</summary>
    public async Task AddIpv6Async(string cidr)
    {
        await Namespace.AddAddressAsync("eth0", cidr);
        await Namespace.IpAsync("-6", "route", "add", "default", "dev", "eth0");
    }

    /// <summary>A client connection from an app in this pod (uid 1000 unless told: it is captured).</summary>
    public async Task<Socket> ConnectAsync(IPEndPoint destination, uint uid = 1000, CancellationToken cancellationToken = default)
    {
        var socket = Namespace.Socket(destination.AddressFamily, uid, uid);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(15));
            await socket.ConnectAsync(destination, timeout.Token);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A server in this pod.</summary>
    public TestServer Serve(IPEndPoint endPoint, Func<Socket, CancellationToken, Task> behaviour) => TestServer.Start(Namespace, endPoint, behaviour);

    public ValueTask DisposeAsync() => Namespace.DisposeAsync();
}
