using System.Net;
using Waylay.Capture.Options;
using static Waylay.Capture.Plan.ChainNames;

namespace Waylay.Capture.Plan;

/// <summary>
/// Builds the rules istio-iptables writes for the same flags (its current layout: a separate inbound redirect chain to
/// -z, the 127.0.0.6 passthrough exemption, owner checks before the loopback redirect), as data.
/// <code>
///   inbound:  PREROUTING ─► ISTIO_INBOUND ─► ISTIO_IN_REDIRECT ─► REDIRECT :15006      (REDIRECT mode, nat)
///                                       └─► ISTIO_DIVERT / ISTIO_TPROXY ─► TPROXY :15006 (TPROXY mode, mangle)
///   outbound: OUTPUT ─► ISTIO_OUTPUT ─► ISTIO_REDIRECT ─► REDIRECT :15001
///                                   └─► ISTIO_IN_REDIRECT (the proxy calling its own pod through a service)
/// </code>
/// </summary>
public static class RulePlanner
{
    public static RulePlan Plan(CaptureOptions options)
    {
        var families = options.Families.Select(f => new FamilyPlan(f, new Builder(options, f).Build())).ToList();
        var routes = options.Mode == InterceptionMode.Tproxy && !options.InboundPorts.IsEmpty
            ? options.Families.Select(f => new PolicyRoute(f, options.TproxyMark, options.TproxyRouteTable)).ToList()
            : [];
        return new RulePlan(options, families, routes);
    }

    /// <summary>istio-iptables' OutboundMark: the proxy's own packets over lo in TPROXY mode (fixed, not a flag).</summary>
    public const uint ProxyLoopbackMark = 1338;

    private sealed class Builder(CaptureOptions o, IpFamily family)
    {
        private readonly List<Rule> _rules = [];
        private readonly IPNetwork _loopback = family == IpFamily.V4 ? IPNetwork.Parse("127.0.0.1/32") : IPNetwork.Parse("::1/128");
        private readonly IPNetwork _passthroughSource = family == IpFamily.V4 ? IPNetwork.Parse("127.0.0.6/32") : IPNetwork.Parse("::6/128");

        public List<Rule> Build()
        {
            DropInvalid();
            Add(NetfilterTable.Nat, IstioRedirect, Match.Tcp, new RedirectTarget(o.OutboundCapturePort),
                $"the outbound capture: hand the connection to the proxy's outbound listener on :{o.OutboundCapturePort}");
            Add(NetfilterTable.Nat, IstioInRedirect, Match.Tcp, new RedirectTarget(o.InboundCapturePort),
                $"the inbound capture: hand the connection to the proxy's inbound listener on :{o.InboundCapturePort}");
            Inbound();
            Outbound();
            return _rules;
        }

        private void Add(NetfilterTable table, string chain, Match match, Target target, string reason) =>
            _rules.Add(new Rule(table, chain, match, target, reason));

        private void DropInvalid()
        {
            if (!o.DropInvalid)
            {
                return;
            }

            Add(NetfilterTable.Mangle, Prerouting, Match.Tcp with { State = ConnState.Invalid }, new JumpTarget(IstioDropInvalid),
                "TCP segments conntrack calls INVALID (out of window) are dropped instead of answered with a reset (istio#36566)");
            Add(NetfilterTable.Mangle, IstioDropInvalid, Match.Any, DropTarget.Instance,
                "drop: the peer retransmits; a RST here would kill a healthy connection");
        }

        private void Inbound()
        {
            var tproxy = o.Mode == InterceptionMode.Tproxy;
            var captures = !o.InboundPorts.IsEmpty;
            var table = tproxy ? NetfilterTable.Mangle : NetfilterTable.Nat;
            var natInbound = (captures && !tproxy) || o.VirtualInterfaces.Count > 0;

            if (natInbound)
            {
                Add(NetfilterTable.Nat, Prerouting, Match.Tcp, new JumpTarget(IstioInbound), "every arriving TCP connection is looked at by ISTIO_INBOUND");
                ExcludedInterfaces(NetfilterTable.Nat);
                VirtualInterfaces();
            }

            if (!captures)
            {
                return;
            }

            if (tproxy)
            {
                Add(NetfilterTable.Mangle, Prerouting, Match.Tcp, new JumpTarget(IstioInbound), "every arriving TCP packet is looked at by ISTIO_INBOUND (TPROXY works per packet)");
                ExcludedInterfaces(NetfilterTable.Mangle);

                LoopbackInbound();
                foreach (var vif in o.VirtualInterfaces)
                {
                    Add(NetfilterTable.Mangle, IstioInbound, new Match { InInterface = vif }, ReturnTarget.Instance,
                        $"traffic from the virtual interface {vif} is outbound traffic (nat ISTIO_INBOUND handles it), not inbound");
                }

                Add(NetfilterTable.Mangle, IstioDivert, Match.Any, new MarkTarget(o.TproxyMark),
                    $"mark 0x{o.TproxyMark:x} so the policy route (table {o.TproxyRouteTable}) delivers it locally");
                Add(NetfilterTable.Mangle, IstioDivert, Match.Any, AcceptTarget.Instance, "packet of a connection the proxy already owns: accept");
                Add(NetfilterTable.Mangle, IstioTproxy, Match.Tcp with { Destination = new(_loopback, Negated: true) },
                    new TproxyTarget(o.InboundCapturePort, o.TproxyMark),
                    $"a new inbound connection goes to the proxy's transparent listener on :{o.InboundCapturePort}, unrewritten");
            }

            if (o.InboundPorts.All)
            {
                Add(table, IstioInbound, Match.Tcp with { DestinationPort = (ushort)22 }, ReturnTarget.Instance,
                    "ssh (22) is never captured, so a node can be reached even when the proxy is broken");
                foreach (var port in o.InboundPortsExclude)
                {
                    Add(table, IstioInbound, Match.Tcp with { DestinationPort = port }, ReturnTarget.Instance,
                        $"inbound port {port} is excluded (-d): it goes straight to the app");
                }

                CaptureInbound(table, tproxy, null);
            }
            else
            {
                foreach (var port in o.InboundPorts.Ports)
                {
                    CaptureInbound(table, tproxy, port);
                }
            }
        }

        /// <summary>
        /// A packet made in the pod and sent over lo (the app calling its own pod IP, the proxy's 127.0.0.6
        /// passthrough, the proxy calling its own pod) comes back in through mangle PREROUTING, where TPROXY would
        /// take it. Istio's answer, kept rule for rule: the proxy's own packets to a non-loopback address over lo are
        /// marked 1338 in mangle OUTPUT, and ISTIO_INBOUND lets every other looped-back packet pass. So the proxy
        /// calling its pod IP on a captured port meets its inbound listener (policy, telemetry) even when nat let it
        /// through (an excluded outbound port), and nothing else made in the pod is captured twice.
        /// </summary>
        private void LoopbackInbound()
        {
            const NetfilterTable mangle = NetfilterTable.Mangle;
            Add(mangle, Output, Match.Tcp with { OutInterface = "lo" }, new JumpTarget(IstioOutput),
                "TCP the pod sends over lo is looked at by mangle ISTIO_OUTPUT (it comes back in through TPROXY's PREROUTING)");
            foreach (var uid in o.ProxyUids)
            {
                Add(mangle, IstioOutput, Match.Tcp with { Destination = new(_loopback, Negated: true), OutInterface = "lo", UidOwner = new(uid) },
                    new MarkTarget(ProxyLoopbackMark),
                    $"the proxy (uid {uid}) calling its own pod over lo: mark 0x{ProxyLoopbackMark:x} so ISTIO_INBOUND still captures it");
            }

            foreach (var gid in o.ProxyGids)
            {
                Add(mangle, IstioOutput, Match.Tcp with { Destination = new(_loopback, Negated: true), OutInterface = "lo", GidOwner = new(gid) },
                    new MarkTarget(ProxyLoopbackMark),
                    $"the proxy (gid {gid}) calling its own pod over lo: mark 0x{ProxyLoopbackMark:x} so ISTIO_INBOUND still captures it");
            }

            Add(mangle, IstioInbound, Match.Tcp with { Source = new(_passthroughSource), InInterface = "lo" }, ReturnTarget.Instance,
                $"the proxy's passthrough to the app (from {_passthroughSource.BaseAddress}) is not captured again");
            Add(mangle, IstioInbound, Match.Tcp with { InInterface = "lo", Mark = new(ProxyLoopbackMark, Negated: true) }, ReturnTarget.Instance,
                $"other packets looping back over lo (an app calling its own pod IP) were made in the pod and are not captured; only the proxy's (mark 0x{ProxyLoopbackMark:x}) are");
        }

        private void CaptureInbound(NetfilterTable table, bool tproxy, ushort? port)
        {
            var match = port is { } p ? Match.Tcp with { DestinationPort = p } : Match.Tcp;
            var what = port is { } q ? $"inbound port {q} is captured (-b)" : "every other inbound port is captured (-b '*')";
            if (tproxy)
            {
                Add(table, IstioInbound, match with { State = ConnState.Related | ConnState.Established }, new JumpTarget(IstioDivert),
                    what + ": packets of established connections are diverted to the proxy's socket");
                Add(table, IstioInbound, match, new JumpTarget(IstioTproxy), what + ": new connections go to TPROXY");
            }
            else
            {
                Add(table, IstioInbound, match, new JumpTarget(IstioInRedirect), what);
            }
        }

        private void ExcludedInterfaces(NetfilterTable table)
        {
            foreach (var iface in o.ExcludeInterfaces)
            {
                Add(table, IstioInbound, new Match { InInterface = iface }, ReturnTarget.Instance, $"interface {iface} is excluded (-c): never captured");
            }
        }

        private void VirtualInterfaces()
        {
            foreach (var vif in o.VirtualInterfaces)
            {
                if (o.OutboundCidrs.All)
                {
                    Add(NetfilterTable.Nat, IstioInbound, new Match { InInterface = vif }, new JumpTarget(IstioRedirect),
                        $"traffic arriving from the virtual interface {vif} (-k) is the workload's outbound traffic: captured");
                    continue;
                }

                foreach (var cidr in o.OutboundCidrs.Of(family))
                {
                    Add(NetfilterTable.Nat, IstioInbound, new Match { InInterface = vif, Destination = new(cidr) }, new JumpTarget(IstioRedirect),
                        $"traffic from the virtual interface {vif} (-k) to {cidr} (-i) is outbound: captured");
                }

                Add(NetfilterTable.Nat, IstioInbound, new Match { InInterface = vif }, ReturnTarget.Instance,
                    $"other traffic from the virtual interface {vif} is not captured");
            }
        }

        private void Outbound()
        {
            const NetfilterTable nat = NetfilterTable.Nat;
            Add(nat, Output, Match.Tcp, new JumpTarget(IstioOutput), "every TCP connection made in the pod is looked at by ISTIO_OUTPUT");
            foreach (var iface in o.ExcludeInterfaces)
            {
                Add(nat, IstioOutput, new Match { OutInterface = iface }, ReturnTarget.Instance, $"interface {iface} is excluded (-c): never captured");
            }

            foreach (var port in o.OutboundPortsExclude)
            {
                Add(nat, IstioOutput, Match.Tcp with { DestinationPort = port }, ReturnTarget.Instance, $"outbound port {port} is excluded (-o)");
            }

            Add(nat, IstioOutput, new Match { Source = new(_passthroughSource), OutInterface = "lo" }, ReturnTarget.Instance,
                $"the proxy reaching an app bound to the pod IP comes from {_passthroughSource.BaseAddress}: not captured");

            OwnerRules(o.ProxyUids, "uid", static (m, id, neg) => m with { UidOwner = new(id, neg) });
            OwnerRules(o.ProxyGids, "gid", static (m, id, neg) => m with { GidOwner = new(id, neg) });

            Add(nat, IstioOutput, new Match { Destination = new(_loopback) }, ReturnTarget.Instance,
                $"{_loopback.BaseAddress} is for containers of the same pod talking to each other: not captured");

            foreach (var cidr in o.OutboundCidrsExclude.Where(c => c.BaseAddress.AddressFamily == family.AddressFamily()))
            {
                Add(nat, IstioOutput, new Match { Destination = new(cidr) }, ReturnTarget.Instance, $"{cidr} is excluded (-x)");
            }

            foreach (var port in o.OutboundPortsInclude)
            {
                Add(nat, IstioOutput, Match.Tcp with { DestinationPort = port }, new JumpTarget(IstioRedirect), $"outbound port {port} is captured (-q)");
            }

            if (o.OutboundCidrs.All)
            {
                Add(nat, IstioOutput, Match.Any, new JumpTarget(IstioRedirect), "everything else the app sends is captured (-i '*')");
            }
            else if (o.OutboundCidrs.Networks.Count > 0)
            {
                foreach (var cidr in o.OutboundCidrs.Of(family))
                {
                    Add(nat, IstioOutput, new Match { Destination = new(cidr) }, new JumpTarget(IstioRedirect), $"{cidr} is captured (-i)");
                }

                Add(nat, IstioOutput, Match.Any, ReturnTarget.Instance, "destinations outside the -i ranges are not captured");
            }
        }

        private void OwnerRules(IReadOnlyList<uint> ids, string kind, Func<Match, uint, bool, Match> owner)
        {
            const NetfilterTable nat = NetfilterTable.Nat;
            foreach (var id in ids)
            {
                Add(nat, IstioOutput, owner(new Match { Destination = new(_loopback, Negated: true), OutInterface = "lo" }, id, false),
                    new JumpTarget(IstioInRedirect),
                    $"the proxy ({kind} {id}) calling its own pod through a service comes back in over lo: treat it as inbound");
                Add(nat, IstioOutput, owner(new Match { OutInterface = "lo" }, id, true), ReturnTarget.Instance,
                    $"an app calling its own pod directly over lo is not captured ({kind} is not {id})");
                Add(nat, IstioOutput, owner(Match.Any, id, false), ReturnTarget.Instance,
                    $"the proxy's own traffic ({kind} {id}) is never captured: no loop");
            }
        }
    }
}
