using Waylay.TestKit;
using Xunit;

namespace Waylay.Capture.Tests.Kernel;

/// <summary>
/// Every case of the table, for real on each backend: apply, apply again (nothing changes, no duplicate jumps),
/// verify, clean up, and nothing of Waylay's is left while other rules survive.
/// </summary>
public sealed class CaseRoundTripTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in CaptureCases.All.Keys)
        {
            foreach (var backend in new[] { "iptables-nft", "iptables-legacy", "nft" })
            {
                data.Add(name, backend);
            }
        }

        return data;
    }

    [NetnsTheory]
    [MemberData(nameof(Cases))]
    public async Task ApplyTwice_Verify_Cleanup_LeavesNothing(string name, string backend)
    {
        await using var ns = await TestNamespace.CreateAsync();
        var save = backend == "nft" ? new[] { "nft", "list", "ruleset" } : [backend + "-save"];
        var save6 = backend == "nft" ? null : new[] { "ip6" + backend[2..] + "-save" };

        // Somebody else's rule (kube-proxy's, a CNI's) must survive everything Waylay does.
        var foreign = backend == "nft"
            ? await ns.RunAsync(["nft", "-f", "-"], "table ip other {\n chain out {\n  type nat hook output priority 0; policy accept;\n  tcp dport 5555 return\n }\n}\n")
            : await ns.RunAsync(backend, "-t", "nat", "-A", "OUTPUT", "-p", "tcp", "--dport", "5555", "-j", "RETURN");
        Assert.True(foreign.Succeeded, foreign.Diagnostic);
        var before = await Snapshot(ns, save, save6);

        string[] args = [.. CaptureCases.All[name], "--backend", backend];
        await ns.CaptureAsync([.. args, "--verify"]);
        var first = await Snapshot(ns, save, save6);
        await ns.CaptureAsync([.. args, "--verify"]);
        Assert.Equal(first, await Snapshot(ns, save, save6));
        Assert.Contains("ISTIO_OUTPUT", first);

        var cleanup = await WaylayCli.RunAsync("capture", "--netns", ns.Name, "--cleanup");
        Assert.True(cleanup.Succeeded, cleanup.Diagnostic);
        var after = await Snapshot(ns, save, save6);
        Assert.DoesNotContain("ISTIO", after);
        Assert.DoesNotContain("waylay", after);
        Assert.Equal(Rules(before), Rules(after));
        var rules = await ns.RunAsync("ip", "rule", "show");
        Assert.DoesNotContain("lookup 133", rules.StandardOutput);
    }

    private static async Task<string> Snapshot(TestNamespace ns, string[] save, string[]? save6)
    {
        var text = (await ns.RunAsync(save)).StandardOutput;
        if (save6 is not null)
        {
            text += (await ns.RunAsync(save6)).StandardOutput;
        }

        return string.Join('\n', text.Split('\n').Where(l => !l.StartsWith('#')));
    }

    // The rule lines alone: empty built-in tables that iptables-nft leaves behind are not rules.
    private static string Rules(string snapshot) =>
        string.Join('\n', snapshot.Split('\n').Where(l => l.StartsWith("-A ") || l.Trim().StartsWith("tcp ")));
}
