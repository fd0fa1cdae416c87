using System.Net;
using Waylay.Capture.Explain;
using Waylay.Diagnostics.Connections;
using Waylay.Diagnostics.Conntrack;
using Waylay.Diagnostics.Pods;
using Waylay.Diagnostics.Proxy;
using Waylay.Diagnostics.Rules;
using Waylay.TestKit;

namespace Waylay.Diagnostics.Tests.Connections;

[Collection(MeshCollection.Name)]
public sealed class ConnectionViewTests(TwoPodMesh mesh)
{
    [NetnsFact]
    public async Task ALivePair_IsJoinedWithItsConntrackEntries_AndTheRuleThatRedirectedIt()
    {
        var ratings = mesh.Pod("ratings");
        var network = new PodNetwork(ratings);
        var service = new IPEndPoint(Names.ClusterRecords.Read(mesh.StateDirectory)["details.default.svc.cluster.local"], 9080);
        var plan = PodCapture.Of(ratings)!.Plan;
        // details:9080 is an HTTP port the proxy routes: its upstream is the pooled connection the request went out on.
        using var held = await HeldConnection.OpenAsync(ratings, 1000, service, "/details/0");

        ConnectionView? view = null;
        IReadOnlyList<ProxyConnection> pairs = [];
        IReadOnlyList<ConntrackEntry> conntrack = [];
        await MeshCollection.EventuallyAsync(async () =>
        {
            pairs = await ProxyAdmin.ConnectionsAsync(network, CancellationToken.None);
            conntrack = await ConntrackTable.ReadAsync(network, CancellationToken.None);
            view = ConnectionView.Join(pairs, conntrack, c => ConnectionView.FirstPacket(c, 1000, 1000) is { } p ? PacketClassifier.Classify(plan, p) : null)
                .FirstOrDefault(v => service.Equals(v.Pair.OriginalDestination) && v.Upstream is not null);
            return view is not null;
        }, () => $"the proxy never showed a pair to {service} joined with its upstream's conntrack entry:\n{string.Join("\n", pairs)}\nconntrack:\n{string.Join("\n", conntrack)}");

        Assert.Equal("outbound", view!.Pair.Listener);
        Assert.Equal(IPEndPoint.Parse("127.0.0.1:15001"), view.Downstream!.RedirectedTo);
        Assert.Equal(view.Pair.DownstreamRemote, view.Downstream.Original.Source);
        Assert.Equal(VerdictKind.Redirected, view.Capture!.Kind);
        Assert.Equal("OUTPUT → ISTIO_OUTPUT #11 → ISTIO_REDIRECT #1 → REDIRECT :15001", PacketClassifier.Path(view.Capture));

        var cli = await MeshCollection.CliAsync(mesh, "connections", "ratings");
        Assert.True(cli.Succeeded, cli.Diagnostic);
        Assert.Contains("details.default:9080", cli.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("REDIRECT :15001", cli.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("ESTABLISHED reply from proxy :15001", cli.StandardOutput, StringComparison.Ordinal);
    }
}
