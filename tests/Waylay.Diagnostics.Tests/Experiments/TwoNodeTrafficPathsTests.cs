using Waylay.Node.State;
using System.Text.RegularExpressions;
using Waylay.TestKit;

namespace Waylay.Diagnostics.Tests.Experiments;

/// <summary>
/// <c>--nodes 2</c>: the same mesh as <see cref="TwoPodMesh"/>, brought up by the real CLI on two nodes (round robin
/// puts details and ratings on different ones) with <c>--ip-masq</c>, as the seed's cluster masqueraded pod traffic
/// between nodes; the experiment's callers come from the other node than the target.
/// </summary>
public sealed class TwoNodeTrafficPathsTests
{
    [NetnsFact]
    public async Task OnTwoNodes_SourceTwoComesFromTheOtherNode_MasqueradedToItsAddress_AndAllSevenAreTheSeeds()
    {
        var run = RunId.Value + "n2";
        var directory = Directory.CreateTempSubdirectory(RunId.Next("tn")).FullName;
        try
        {
            var file = Path.Combine(directory, "mesh.yaml");
            await File.WriteAllTextAsync(file, TwoPodMesh.Manifests);
            var up = await WaylayCli.RunAsync("up", file, "--nodes", "2", "--ip-masq", "--run", run);
            Assert.True(up.Succeeded, up.Diagnostic);

            var result = await WaylayCli.RunAsync("experiment", "traffic-paths", "--mesh", run, "--nodes", "2", "--target", "details");

            Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}\n{result.StandardOutput}\n{result.StandardError}");
            Assert.Equal(7, result.StandardOutput.Split('\n').Count(l => l.EndsWith("| as the seed says, confirmed |", StringComparison.Ordinal)));
            var details = PodLookup.Find(Path.Combine(PodLookup.DefaultStateRoot, run), "details");
            var ratings = PodLookup.Find(Path.Combine(PodLookup.DefaultStateRoot, run), "ratings");
            Assert.NotEqual(details.Record.Node, ratings.Record.Node);
            // (2) arrives at details from ratings' node (the seed's "request from the other node"): its POSTROUTING
            // (the CNI bridge plugin's ipMasq chain) masquerades what leaves the pod subnet, predicted and seen.
            var two = result.StandardOutput[result.StandardOutput.IndexOf("## (2)", StringComparison.Ordinal)..result.StandardOutput.IndexOf("## (3)", StringComparison.Ordinal)];
            var node = Waylay.Node.Underlay.UnderlayNetwork.AddressOf(ratings.Record.Node).ToString();
            Assert.Contains($"node{ratings.Record.Node}'s nat POSTROUTING masquerades it (CNI-", two, StringComparison.Ordinal);
            Assert.Matches($@"seen: {Regex.Escape(details.Name)}: conntrack has {Regex.Escape(node)} → {Regex.Escape(details.Address!.ToString())}:9080 redirected to :15006", two);
        }
        finally
        {
            var down = await WaylayCli.RunAsync("down", run);
            Directory.Delete(directory, recursive: true);
            Assert.True(down.Succeeded, down.Diagnostic);
        }
    }
}
