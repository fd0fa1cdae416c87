using System.Net;
using Waylay.Capture.Options;
using Waylay.Capture.Plan;
using Waylay.Diagnostics.Conntrack;
using Waylay.Diagnostics.Rules;
using Waylay.TestKit;

namespace Waylay.Diagnostics.Tests.Rules;

/// <summary>
/// <c>waylay rules</c>' reading for the native nft backend and for IPv6, on namespaces captured for real: the same
/// annotation, counters and diff as for iptables and IPv4.
/// </summary>
public sealed class NftAndIpv6RulesTests
{
    private static readonly string[] Flags = ["-p", "15001", "-z", "15006", "-u", "1337", "-m", "REDIRECT", "-i", "*", "-b", "*", "--ipv6"];

    [NetnsFact]
    public async Task Nft_EveryRuleIsWaylays_WithItsReason_AndEachFamilysRedirectCountsOneConnection()
    {
        await using var pod = await CapturedNamespace.CreateAsync([.. Flags, "--backend", "nft"]);
        var (before, rules) = await pod.ReadAsync(BackendKind.Nft);
        Assert.True(before.Nft);
        Assert.Contains(rules, r => r.Kernel.Where == "ip waylay-nat");
        Assert.Contains(rules, r => r.Kernel.Where == "ip6 waylay-nat");
        Assert.All(rules, r => Assert.NotNull(r.Planned));
        Assert.Equal(pod.Plan.Families.Sum(f => f.Rules.Count), rules.Count);
        Assert.Contains(rules, r => r.Kernel.Family == IpFamily.V6 && r.Reason.Contains("the proxy's own traffic (uid 1337) is never captured", StringComparison.Ordinal));

        // Without being told the backend, the reader finds Waylay's nft tables itself (a capture run by hand).
        Assert.True((await pod.ReadAsync()).Kernel.Nft);

        var redirect = pod.Plan.For(IpFamily.V4)!.In(NetfilterTable.Nat, ChainNames.IstioRedirect).Single();
        using (await pod.ConnectAsync(CapturedNamespace.Peer4))
        {
            var (after, _) = await pod.ReadAsync(BackendKind.Nft);
            Assert.Equal(1UL, Moved(before, after, redirect, IpFamily.V4));
            Assert.Equal(0UL, Moved(before, after, redirect, IpFamily.V6));
            before = after;
        }

        using (await pod.ConnectAsync(CapturedNamespace.Peer6))
        {
            var (after, _) = await pod.ReadAsync(BackendKind.Nft);
            Assert.Equal(1UL, Moved(before, after, redirect, IpFamily.V6));
            Assert.Equal(0UL, Moved(before, after, redirect, IpFamily.V4));
        }
    }

    [NetnsFact]
    public async Task Nft_Diff_NoDrift_ThenARuleDeletedByHand_IsReportedMissing()
    {
        // istio-iptables' own name for the nft backend, as Istio's injection passes it (values.global.nativeNftables).
        await using var pod = await CapturedNamespace.CreateAsync([.. Flags, "--native-nftables"]);
        Assert.Equal(BackendKind.Nft, pod.Plan.Options.Backend);
        Assert.DoesNotContain(RuleDiff.Compare(pod.Plan, (await pod.ReadAsync()).Kernel), l => l.Drift);

        var listing = await pod.ReadAsync("nft", ["-a", "list", "chain", "ip", "waylay-nat", ChainNames.IstioOutput], CancellationToken.None);
        var line = listing.Split('\n').Single(l => l.Contains("ip daddr 127.0.0.1 counter", StringComparison.Ordinal));
        var handle = line[(line.LastIndexOf("# handle ", StringComparison.Ordinal) + 9)..].Trim();
        await pod.ReadAsync("nft", ["delete", "rule", "ip", "waylay-nat", ChainNames.IstioOutput, "handle", handle], CancellationToken.None);

        var diff = RuleDiff.Compare(pod.Plan, (await pod.ReadAsync()).Kernel);
        var missing = Assert.Single(diff, l => l.Drift);
        Assert.Equal((DiffKind.Missing, IpFamily.V4, NetfilterTable.Nat, ChainNames.IstioOutput, "ip daddr 127.0.0.1 counter return"),
            (missing.Kind, missing.Family, missing.Table, missing.Chain, missing.Text));
    }

    [NetnsFact]
    public async Task Iptables_DualStack_ShowsTheIp6tablesChains_Annotated_AndCountsAnIpv6Connection_WhichConntrackShows()
    {
        await using var pod = await CapturedNamespace.CreateAsync(Flags);
        var (before, rules) = await pod.ReadAsync(BackendKind.Iptables);
        Assert.False(before.Nft);
        Assert.Matches("^iptables-(nft|legacy)-save -c and ip6tables-(nft|legacy)-save -c$", before.Source);
        var six = rules.Where(r => r.Kernel.Family == IpFamily.V6).ToList();
        Assert.Equal(pod.Plan.For(IpFamily.V6)!.Rules.Count, six.Count);
        Assert.All(six, r => Assert.NotNull(r.Planned));
        Assert.Contains(six, r => r.Kernel.Where == "ip6 nat" && r.Kernel.Text == "-A ISTIO_OUTPUT -d ::1/128 -j RETURN");
        Assert.DoesNotContain(RuleDiff.Compare(pod.Plan, before), l => l.Drift);

        var redirect = pod.Plan.For(IpFamily.V6)!.In(NetfilterTable.Nat, ChainNames.IstioRedirect).Single();
        using var held = await pod.ConnectAsync(CapturedNamespace.Peer6);
        var (after, _) = await pod.ReadAsync(BackendKind.Iptables);
        Assert.Equal(1UL, Moved(before, after, redirect, IpFamily.V6));

        var entries = await ConntrackTable.ReadAsync(pod.Netns, pod.ReadAsync, CancellationToken.None);
        var local = (IPEndPoint)held.LocalEndPoint!;
        var entry = Assert.Single(entries, e => e.Is(new IPEndPoint(local.Address, local.Port), CapturedNamespace.Peer6));
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 15001), entry.RedirectedTo);
        Assert.Contains(ConntrackGroup.Of(entries, IPAddress.Parse("fd00:244:1::2")), g => g.Destination.Equals(CapturedNamespace.Peer6) && g.Entries.Contains(entry));
    }

    /// <summary>The packets a planned rule counted between two reads (nat sees one packet per connection: its first).</summary>
    private static ulong Moved(KernelRuleset before, KernelRuleset after, Rule planned, IpFamily family) =>
        after.Find(planned, family)!.Packets - before.Find(planned, family)!.Packets;
}
