using Waylay.Capture.Options;
using Waylay.Capture.Plan;
using Waylay.Diagnostics.Rules;

namespace Waylay.Diagnostics.Tests.Rules;

public sealed class NftKernelRulesTests
{
    // What nft 1.0.6 printed for a namespace with Waylay's table, another agent's `ip nat` (a rule without a counter)
    // and an inet filter table (neither nat nor mangle: not read).
    private const string Json = """
        {"nftables": [{"metainfo": {"version": "1.0.6", "json_schema_version": 1}},
         {"table": {"family": "ip", "name": "nat", "handle": 1}},
         {"chain": {"family": "ip", "table": "nat", "name": "OUTPUT", "handle": 1, "type": "nat", "hook": "output", "prio": -100, "policy": "accept"}},
         {"rule": {"family": "ip", "table": "nat", "chain": "OUTPUT", "handle": 2, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 25}}, {"accept": null}]}},
         {"table": {"family": "ip6", "name": "waylay-nat", "handle": 3}},
         {"chain": {"family": "ip6", "table": "waylay-nat", "name": "ISTIO_OUTPUT", "handle": 1}},
         {"rule": {"family": "ip6", "table": "waylay-nat", "chain": "ISTIO_OUTPUT", "handle": 4, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip6", "field": "daddr"}}, "right": "::1"}}, {"counter": {"packets": 3, "bytes": 240}}, {"return": null}]}},
         {"rule": {"family": "ip6", "table": "waylay-nat", "chain": "ISTIO_OUTPUT", "handle": 5, "expr": [{"counter": {"packets": 7, "bytes": 560}}, {"jump": {"target": "ISTIO_REDIRECT"}}]}},
         {"table": {"family": "inet", "name": "filter", "handle": 6}},
         {"rule": {"family": "inet", "table": "filter", "chain": "input", "handle": 2, "expr": [{"accept": null}]}}]}
        """;

    private const string Text = """
        table ip nat { # handle 1
        	chain OUTPUT { # handle 1
        		type nat hook output priority -100; policy accept;
        		tcp dport 25 accept # handle 2
        	}
        }
        table ip6 waylay-nat { # handle 3
        	chain ISTIO_OUTPUT { # handle 1
        		ip6 daddr ::1 counter packets 3 bytes 240 return # handle 4
        		counter packets 7 bytes 560 jump ISTIO_REDIRECT # handle 5
        	}
        }
        table inet filter { # handle 6
        	chain input { # handle 1
        		accept # handle 2
        	}
        }
        """;

    [Fact]
    public void Rules_AreJoinedByHandle_WithTheirCounters_AndTextWithoutCounterValues_NatAndMangleTablesOnly()
    {
        var (chains, rules) = NftKernelRules.Parse(Json, Text);
        Assert.Equal(
            [
                new KernelRule(NetfilterTable.Nat, "OUTPUT", 1, "tcp dport 25 accept", 0, 0, IpFamily.V4, "nat"),
                new KernelRule(NetfilterTable.Nat, "ISTIO_OUTPUT", 1, "ip6 daddr ::1 counter return", 3, 240, IpFamily.V6, "waylay-nat"),
                new KernelRule(NetfilterTable.Nat, "ISTIO_OUTPUT", 2, "counter jump ISTIO_REDIRECT", 7, 560, IpFamily.V6, "waylay-nat"),
            ],
            rules);
        Assert.Equal(["ip nat", "ip6 waylay-nat", "ip6 waylay-nat"], rules.Select(r => r.Where));
        Assert.Equal([("OUTPUT", "ACCEPT"), ("ISTIO_OUTPUT", "-")], chains.Select(c => (c.Name, c.Policy)));

        // Only Waylay's own table is where the plan's rules are looked for.
        Assert.False(KernelRuleset.InPlannedTable(rules[0], IpFamily.V4, NetfilterTable.Nat));
        Assert.True(KernelRuleset.InPlannedTable(rules[1], IpFamily.V6, NetfilterTable.Nat));
        Assert.False(KernelRuleset.InPlannedTable(rules[1], IpFamily.V4, NetfilterTable.Nat));
    }
}
