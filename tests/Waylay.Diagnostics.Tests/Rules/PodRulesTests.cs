using Waylay.Capture.Plan;
using Waylay.Diagnostics.Rules;
using Waylay.TestKit;

namespace Waylay.Diagnostics.Tests.Rules;

[Collection(MeshCollection.Name)]
public sealed class PodRulesTests(TwoPodMesh mesh)
{
    [NetnsFact]
    public async Task EveryRuleOfAnInjectedPod_IsWaylays_WithItsReason_AndTheRedirectCounterMovesWithAConnection()
    {
        var ratings = mesh.Pod("ratings");
        var details = mesh.Pod("details");
        var before = await PodRules.ReadAsync(ratings, CancellationToken.None);
        Assert.NotNull(before.Capture);
        Assert.All(before.Rules.Where(r => r.Kernel.Chain.StartsWith("ISTIO_", StringComparison.Ordinal)), r => Assert.NotNull(r.Planned));
        Assert.Contains(before.Rules, r => r.Reason.Contains("the proxy's own traffic (uid 1337) is never captured", StringComparison.Ordinal));

        using (await HeldConnection.OpenAsync(ratings, 1000, new System.Net.IPEndPoint(details.Address!, 9080)))
        {
            var after = await PodRules.ReadAsync(ratings, CancellationToken.None);
            var moved = after.Since(before).Where(d => d.Packets > 0).Select(d => d.Rule.Kernel.Text).ToList();
            Assert.Contains("-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001", moved);
            Assert.Contains("-A OUTPUT -p tcp -j ISTIO_OUTPUT", moved);
        }

        var cli = await MeshCollection.CliAsync(mesh, "rules", "ratings", "--watch", "--count", "1", "--interval", "0.2");
        Assert.True(cli.Succeeded, cli.Diagnostic);
        Assert.Contains("Δ packets", cli.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("the outbound capture: hand the connection to the proxy's outbound listener on :15001", cli.StandardOutput, StringComparison.Ordinal);
    }

    [NetnsFact]
    public async Task Diff_NoDrift_ThenADeletedRuleAndAForeignRuleAhead_AreReported_ExitOne()
    {
        var details = mesh.Pod("details");
        var clean = await MeshCollection.CliAsync(mesh, "rules", "details", "--diff");
        Assert.True(clean.Succeeded, clean.Diagnostic + clean.StandardOutput);
        Assert.Contains("no drift", clean.StandardOutput, StringComparison.Ordinal);

        const string deleted = "ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN";
        const string foreign = "OUTPUT -p tcp -m tcp --dport 9080 -j ACCEPT";
        Assert.True((await TwoPodMesh.InPodAsync(details, ["iptables", "-t", "nat", "-D", .. deleted.Split(' ')])).Succeeded);
        Assert.True((await TwoPodMesh.InPodAsync(details, ["iptables", "-t", "nat", "-I", .. foreign.Split(' ')])).Succeeded);
        try
        {
            var diff = (await PodRules.ReadAsync(details, CancellationToken.None)).Diff();
            var missing = Assert.Single(diff, l => l.Kind == DiffKind.Missing);
            Assert.Equal("-A " + deleted, missing.Text);
            var ahead = Assert.Single(diff, l => l.Kind == DiffKind.Foreign);
            Assert.Equal((NetfilterTable.Nat, "OUTPUT", "-A " + foreign, true), (ahead.Table, ahead.Chain, ahead.Text, ahead.Drift));
            Assert.Contains("ahead of Waylay's rules", ahead.Why, StringComparison.Ordinal);

            var cli = await MeshCollection.CliAsync(mesh, "rules", "details", "--diff");
            Assert.Equal(1, cli.ExitCode);
            Assert.Contains("drift: 1 planned rule(s) missing, 1 foreign rule(s)", cli.StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            await TwoPodMesh.InPodAsync(details, ["iptables", "-t", "nat", "-D", .. foreign.Split(' ')]);
            await TwoPodMesh.InPodAsync(details, ["iptables", "-t", "nat", "-I", "ISTIO_OUTPUT", "8", .. deleted.Split(' ')[1..]]);
        }

        Assert.DoesNotContain((await PodRules.ReadAsync(details, CancellationToken.None)).Diff(), l => l.Drift);
    }
}
