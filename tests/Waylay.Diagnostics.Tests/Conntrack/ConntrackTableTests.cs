using System.Net;
using Waylay.Diagnostics.Conntrack;
using Waylay.Diagnostics.Pods;
using Waylay.TestKit;

namespace Waylay.Diagnostics.Tests.Conntrack;

[Collection(MeshCollection.Name)]
public sealed class ConntrackTableTests(TwoPodMesh mesh)
{
    [Fact]
    public void Parse_ReadsBothTuples_AndTellsARedirectFromAPlainFlow()
    {
        var entries = ConntrackTable.Parse(
            "ipv4     2 tcp      6 431999 ESTABLISHED src=10.244.1.8 dst=10.96.0.11 sport=43254 dport=9080 src=127.0.0.1 dst=10.244.1.8 sport=15001 dport=43254 [ASSURED] mark=0 zone=0 use=2\n" +
            "ipv4     2 tcp      6 117 TIME_WAIT src=10.244.1.8 dst=10.96.0.11 sport=43264 dport=9080 src=10.96.0.11 dst=10.244.1.8 sport=9080 dport=43264 [ASSURED] mark=0 zone=0 use=2\n" +
            "ipv4     2 icmp     1 29 src=10.244.1.8 dst=10.244.1.1 type=8 code=0 id=7 src=10.244.1.1 dst=10.244.1.8 type=0 code=0 id=7 mark=0 zone=0 use=2\n");

        Assert.Equal(2, entries.Count);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 15001), entries[0].RedirectedTo);
        Assert.Equal("ESTABLISHED", entries[0].State);
        Assert.Equal(["ASSURED"], entries[0].Flags);
        Assert.Null(entries[1].RedirectedTo);
        var group = Assert.Single(ConntrackGroup.Of(entries, IPAddress.Parse("10.244.1.8")));
        Assert.Equal(IPEndPoint.Parse("10.96.0.11:9080"), group.Destination);
    }

    [NetnsFact]
    public async Task AConnectionToAService_IsTrackedAsRedirectedToTheOutboundListener_AndTheCliMarksIt()
    {
        var ratings = mesh.Pod("ratings");
        var service = Names.ClusterRecords.Read(mesh.StateDirectory)["details.default.svc.cluster.local"];
        using var held = await HeldConnection.OpenAsync(ratings, 1000, new IPEndPoint(service, 9080));

        var entries = await ConntrackTable.ReadAsync(new PodNetwork(ratings), CancellationToken.None);
        Assert.Contains(entries, e => e.State == "ESTABLISHED" && e.Original.Destination.Equals(new IPEndPoint(service, 9080))
            && e.RedirectedTo is { Port: 15001 } && e.Original.Source.Address.Equals(ratings.Address));

        var cli = await MeshCollection.CliAsync(mesh, "conntrack", "ratings");
        Assert.True(cli.Succeeded, cli.Diagnostic);
        Assert.Contains("to details.default:9080", cli.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("→ proxy :15001", cli.StandardOutput, StringComparison.Ordinal);
    }
}
