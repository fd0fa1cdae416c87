using Waylay.Linux;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Linux.Tests;

/// <summary>The nf_tables table list over netlink, against what nft itself lists in the same namespace.</summary>
public sealed class NfnetlinkTests
{
    [NetnsFact]
    public async Task ListTables_IsWhatNftLists()
    {
        await using var ns = await TestNamespace.CreateAsync();
        Assert.Empty(ns.Invoke(Nfnetlink.ListTables));

        var script = "add table ip nat\nadd table ip6 waylay-mangle\nadd table inet filter\nadd table ip waylay-nat\n";
        var added = await ns.RunAsync(["nft", "-f", "-"], script);
        Assert.True(added.Succeeded, added.Diagnostic);

        var nft = await ns.RunAsync("nft", "list", "tables");
        var expected = nft.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()["table ".Length..]).Order().ToList();
        Assert.Equal(["inet filter", "ip nat", "ip waylay-nat", "ip6 waylay-mangle"], expected);
        Assert.Equal(expected, ns.Invoke(Nfnetlink.ListTables).Order().ToList());
    }
}
