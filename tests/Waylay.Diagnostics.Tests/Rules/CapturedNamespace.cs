using System.Net;
using System.Net.Sockets;
using Waylay.Capture.Apply;
using Waylay.Capture.Options;
using Waylay.Capture.Plan;
using Waylay.Diagnostics.Rules;
using Waylay.TestKit;

namespace Waylay.Diagnostics.Tests.Rules;

/// <summary>
/// A dual-stack pod namespace of the test's own (eth0 10.244.1.2/24 and fd00:244:1::2/64, a peer at .1/::1 behind
/// it), captured for real by <c>waylay capture --netns</c> with the given flags, a dual-mode listener standing in for
/// the proxy on :15001; and the plan those flags make, as <c>waylay rules</c> plans an injected pod's. Removed, with
/// the peer, on dispose.
/// </summary>
internal sealed class CapturedNamespace(TestNamespace pod, TestNamespace peer, Socket proxy, RulePlan plan) : IAsyncDisposable
{
    public static readonly IPEndPoint Peer4 = IPEndPoint.Parse("10.244.1.1:9080");
    public static readonly IPEndPoint Peer6 = IPEndPoint.Parse("[fd00:244:1::1]:9080");

    public TestNamespace Pod => pod;

    public RulePlan Plan => plan;

    public NetworkNamespace Netns => new(Pod.Path);

    public static async Task<CapturedNamespace> CreateAsync(params string[] flags)
    {
        var pod = await TestNamespace.CreateAsync();
        var peer = await TestNamespace.CreateAsync();
        try
        {
            await TestLink.ConnectAsync(pod, "eth0", ["10.244.1.2/24"], peer, "eth0", ["10.244.1.1/24"]);
            // nodad: the address is usable at once (duplicate detection would hold it "tentative" for a while).
            await pod.IpAsync("-6", "addr", "add", "fd00:244:1::2/64", "dev", "eth0", "nodad");
            await peer.IpAsync("-6", "addr", "add", "fd00:244:1::1/64", "dev", "eth0", "nodad");
            await pod.CaptureAsync(flags);
            var (options, errors) = CaptureOptionsParser.Parse(InitContainerFlags.Read(flags), _ => null);
            Assert.True(options is not null, string.Join("; ", errors));
            return new CapturedNamespace(pod, peer, pod.Listen(new IPEndPoint(IPAddress.IPv6Any, 15001)), RulePlanner.Plan(options));
        }
        catch
        {
            await peer.DisposeAsync();
            await pod.DisposeAsync();
            throw;
        }
    }

    /// <summary>The pod's rules as <c>waylay rules</c> reads them, annotated against the plan.</summary>
    public async Task<(KernelRuleset Kernel, IReadOnlyList<AnnotatedRule> Rules)> ReadAsync(BackendKind? backend = null)
    {
        var kernel = await KernelRuleset.ReadAsync(Netns, ReadAsync, backend, CancellationToken.None);
        return (kernel, RuleAnnotator.Annotate(kernel, Plan));
    }

    public async Task<string> ReadAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var result = await Netns.RunAsync(tool, arguments, null, cancellationToken);
        Assert.True(result.Succeeded, $"{tool} {string.Join(' ', arguments)}: {result.Diagnostic}");
        return result.StandardOutput;
    }

    /// <summary>One connection from the app (uid 1000) to <paramref name="to"/>, held open until the socket is disposed.</summary>
    public async Task<Socket> ConnectAsync(IPEndPoint to)
    {
        var socket = Pod.Socket(to.AddressFamily, 1000, 1000);
        await socket.ConnectAsync(to);
        return socket;
    }

    public async ValueTask DisposeAsync()
    {
        proxy.Dispose();
        await pod.DisposeAsync();
        await peer.DisposeAsync();
    }
}
