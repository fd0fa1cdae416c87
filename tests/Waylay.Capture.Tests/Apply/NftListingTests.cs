using Waylay.Capture.Apply;
using Xunit;

namespace Waylay.Capture.Tests.Apply;

public sealed class NftListingTests
{
    // `nft list ruleset` as the kernel printed it: another table's OUTPUT beside Waylay's (verify reads them in one go).
    private const string Ruleset = """
        table ip nat {
        	chain OUTPUT {
        		type nat hook output priority -100; policy accept;
        		tcp dport 25 counter packets 0 bytes 0 return
        	}
        }
        table ip waylay-nat {
        	chain ISTIO_REDIRECT {
        		meta l4proto tcp redirect to :15001
        	}

        	chain OUTPUT {
        		type nat hook output priority -100; policy accept;
        		meta l4proto tcp jump ISTIO_OUTPUT
        	}

        	chain ISTIO_OUTPUT {
        		oifname "lo" ip saddr 127.0.0.6 return
        		counter packets 12 bytes 720 jump ISTIO_REDIRECT
        	}
        }
        """;

    [Fact]
    public void Ruleset_IsReadPerTableAndChain_WithoutHookLines()
    {
        var tables = NftListing.Parse(Ruleset);
        Assert.Equal(["ip nat", "ip waylay-nat"], tables.Keys.Order());
        Assert.Equal(["tcp dport 25 counter return"], tables["ip nat"]["OUTPUT"]);
        Assert.Equal(["meta l4proto tcp jump ISTIO_OUTPUT"], tables["ip waylay-nat"]["OUTPUT"]);
        Assert.Equal(["oifname \"lo\" ip saddr 127.0.0.6 return", "counter jump ISTIO_REDIRECT"], tables["ip waylay-nat"]["ISTIO_OUTPUT"]);
        Assert.Equal(3, tables["ip waylay-nat"].Count);
    }
}
