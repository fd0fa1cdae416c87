using System.Net;
using System.Text.Json.Nodes;
using Waylay.Capture.Explain;
using Waylay.Capture.Plan;
using Waylay.Diagnostics.Pods;
using Waylay.Diagnostics.Proxy;
using Waylay.Diagnostics.Rules;
using Waylay.Node.State;

namespace Waylay.Diagnostics.Explain;

/// <summary>
/// Predicts the path of a new TCP connection from a container of a pod, as numbered steps:
/// <code>
///  :: 1 the name, resolved by the run's DNS records
///  :: 2 the caller's OUTPUT: its capture plan walked by PacketClassifier for the packet this uid sends
///  :: 3 if captured: the caller's proxy (<see cref="ProxyDecision"/>: the service and its endpoints, or passthrough),
///       then its own packet (uid 1337) walked again, to the endpoint it connects to
///  :: 4 the node: a routed service's pod IP routed as the proxy addressed it, else kube-proxy's DNAT of a ClusterIP
///       to the endpoints (its rules as they are), or a pod IP routed
///  :: 5 each peer's PREROUTING walked for the arriving packet, then its proxy's inbound listener and the app
/// </code>
/// Everything comes from the pods' recorded capture flags, the proxies' admin APIs and the node's rules as they are
/// now; each step carries the checks <see cref="PathRun"/> confirms it with.
/// </summary>
internal static class PathPlanner
{
    public static async Task<IReadOnlyList<PathStep>> PredictAsync(RunPod from, PodProcess process, Destination to, CancellationToken cancellationToken)
    {
        var steps = new List<PathStep> { new("name", $"{to.Given} → {to.EndPoint}", [to.Resolution], []) };
        var loopback = IPAddress.IsLoopback(to.Address) || to.Address.Equals(from.Address);
        var sourceAddress = IPAddress.IsLoopback(to.Address) ? IPAddress.Loopback : from.Address!;
        var packet = new Packet(PacketDirection.Out, true, to.Address, to.Port, null, process.Uid, process.Gid, OutInterface: loopback ? "lo" : null);
        var capture = PodCapture.Of(from);
        var verdict = Walk(capture, packet);
        var redirect = verdict.Kind == VerdictKind.Redirected ? (int?)verdict.Port : null;
        // A pod without netfilter rules (the ingress gateway: not injected) has no conntrack hooks in its namespace, so
        // its table stays empty: nothing to confirm there; the peers' steps confirm the connection.
        PathCheck[] tracked = capture is null ? [] : [new ConntrackSeen(from, sourceAddress, to.EndPoint, redirect)];
        steps.Add(new PathStep($"{from.Name} OUTPUT", $"{process.Container} (uid {process.Uid}) connects: {verdict.Summary}",
            [.. Lines(verdict), .. capture is null ? ["no netfilter rules in the pod: its namespace tracks no connections (no conntrack entry to show)"] : Array.Empty<string>()],
            [.. Counted(from, verdict), .. tracked]) { Capture = verdict.Kind, Pod = from.Name });

        ProxyDecision? decision = null;
        if (redirect is { } port && capture is not null && port == capture.Options.OutboundCapturePort && !loopback)
        {
            decision = await ProxyDecision.ReadAsync(from, to, cancellationToken);
            steps.Add(ProxyStep(from, to, port, capture, decision));
        }

        if (loopback)
        {
            steps.Add(new PathStep($"{from.Name}", $"stays in the pod: {await ListenerAsync(from, to.Port, cancellationToken)} answers on {to.EndPoint}", [], []));
            return steps;
        }

        var pods = PodLookup.All(from.Run.Directory);
        if (decision is { Routed: true })
        {
            steps.Add(new PathStep($"node{from.Record.Node}", $"routed to the endpoint's pod IP as the proxy addressed it: kube-proxy's Service portal {to.EndPoint} is not on the path", [], []));
            foreach (var endpoint in decision.Endpoints)
            {
                if (pods.FirstOrDefault(p => endpoint.Address.Equals(p.Address)) is { } peer)
                {
                    steps.Add(await InboundStepAsync(from, peer, endpoint, cancellationToken));
                }
            }

            return steps;
        }

        var endpoints = await ServiceEndpoints.ReadAsync(from, to.EndPoint, cancellationToken);
        steps.Add(endpoints is null
            ? new PathStep($"node{from.Record.Node}", $"{to.EndPoint} is no Service portal: routed as addressed", [], [])
            : new PathStep($"node{from.Record.Node}", $"kube-proxy: Service portal {to.EndPoint} → DNAT to one of {endpoints.Count} endpoint(s), picked at random",
                [.. endpoints.Select(e => $"{e} ({pods.FirstOrDefault(p => e.Address.Equals(p.Address))?.Name ?? "not a pod of this run"})")], []));

        foreach (var endpoint in endpoints ?? [to.EndPoint])
        {
            if (pods.FirstOrDefault(p => endpoint.Address.Equals(p.Address)) is { } peer)
            {
                steps.Add(await InboundStepAsync(from, peer, endpoint, cancellationToken, endpoints is null ? null : to.EndPoint));
            }
        }

        return steps;
    }

    private static PathStep ProxyStep(RunPod from, Destination to, int port, PodCapture capture, ProxyDecision decision)
    {
        var uid = capture.Options.ProxyUids.FirstOrDefault(1337u);
        var gid = capture.Options.ProxyGids.FirstOrDefault(uid);
        if (!decision.Routed)
        {
            var own = Walk(capture, new Packet(PacketDirection.Out, true, to.Address, to.Port, null, uid, gid));
            return new PathStep($"{from.Name} proxy", $"outbound listener :{port}: {decision.Summary}",
                [.. decision.Details, $"its own connection (uid {uid}): {own.Summary}", .. Lines(own)],
                [new ProxyRelays(from, "outbound", to.EndPoint), .. Counted(from, own)]);
        }

        // The proxy's own packet goes to the endpoint it picked: walk it for one of them (the rules do not tell pod IPs apart).
        var first = decision.Endpoints.FirstOrDefault() ?? to.EndPoint;
        var routed = Walk(capture, new Packet(PacketDirection.Out, true, first.Address, (ushort)first.Port, null, uid, gid));
        return new PathStep($"{from.Name} proxy", $"outbound listener :{port}: {decision.Summary}",
            [.. decision.Details, $"its own connection (uid {uid}) to the endpoint: {routed.Summary}", .. Lines(routed)],
            [new ProxyPools(from, decision.Endpoints), new ConntrackToOneOf(from, from.Address!, decision.Endpoints), .. Counted(from, routed)])
        {
            HttpRequest = decision.Http ? HttpRequest(to) : null,
        };
    }

    /// <summary>One GET (of the URL's path, else /) so an HTTP route picks an endpoint: it connects only when a request arrives.</summary>
    private static string HttpRequest(Destination to)
    {
        var path = Uri.TryCreate(to.Given, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri.PathAndQuery : "/";
        return $"GET {path.Replace("%", "%%", StringComparison.Ordinal)} HTTP/1.1\\r\\nHost: {to.Host}:{to.Port}\\r\\n\\r\\n";
    }

    /// <param name="portal">The Service portal kube-proxy DNATed the connection from, when it did (its masquerade mark).</param>
    internal static async Task<PathStep> InboundStepAsync(RunPod from, RunPod peer, IPEndPoint endpoint, CancellationToken cancellationToken, IPEndPoint? portal = null)
    {
        // The caller's node may masquerade it on the way (--ip-masq, kube-proxy's mark): the peer sees that source.
        var nat = await NodeNat.ReadAsync(from, cancellationToken);
        var egress = NodeEgress.Walk(nat, from.Record.Node, from.Address!, endpoint, portal is { } p && NodeEgress.KubeMarked(nat, from.Address!, p, endpoint));
        var capture = PodCapture.Of(peer);
        var verdict = Walk(capture, new Packet(PacketDirection.In, true, endpoint.Address, (ushort)endpoint.Port, egress.Source, InInterface: "eth0"));
        var redirect = verdict.Kind == VerdictKind.Redirected ? (int?)verdict.Port : null;
        var details = new List<string> { $"{egress.Summary}; it arrives from {egress.Source}" };
        details.AddRange(Lines(verdict));
        var checks = new List<PathCheck>(Counted(peer, verdict)) { new ConntrackSeen(peer, egress.Source, endpoint, redirect) };
        // REDIRECT rewrites the connection (conntrack shows it); TPROXY hands it over unrewritten: either way the proxy owns it.
        var taken = verdict.Kind is VerdictKind.Redirected or VerdictKind.Tproxied ? (int?)verdict.Port : null;
        if (taken is { } port && capture is not null && port == capture.Options.InboundCapturePort)
        {
            var config = await ProxyAdmin.ConfigDumpAsync(new PodNetwork(peer), cancellationToken);
            var inboundTo = config["options"]?["inboundTo"]?.GetValue<string>();
            details.Add($"its proxy's inbound listener :{port} relays to the app at {(inboundTo == "pod-ip" ? endpoint.Address : IPAddress.Loopback)}:{endpoint.Port} (inboundTo {inboundTo})");
            checks.Add(new ProxyRelays(peer, "inbound", endpoint));
        }

        details.Add($"answered by {await ListenerAsync(peer, endpoint.Port, cancellationToken)}");
        return new PathStep($"{peer.Name} PREROUTING", $"arrives on eth0 for {endpoint}: {verdict.Summary}", details, checks) { Capture = verdict.Kind, Pod = peer.Name };
    }

    private static Verdict Walk(PodCapture? capture, Packet packet) =>
        capture is null
            ? new Verdict(VerdictKind.NotCaptured, 0, [], "not captured: the pod has no capture rules (not injected)")
            : PacketClassifier.Classify(capture.Plan, packet);

    private static IEnumerable<string> Lines(Verdict verdict) =>
        verdict.Steps.Select(s => $"{s.Rule.Table.Name()} {s.Rule.Chain} #{s.Number}: {s.Text}  ({s.Rule.Reason})");

    private static IEnumerable<PathCheck> Counted(RunPod pod, Verdict verdict) =>
        verdict.Steps.Select(s => new RuleCounted(pod, s.Rule.Table, s.Rule.Chain, s.Text, s.Rule));

    /// <summary>Which process listens on the port in the pod (ss -ltnp inside it), in words.</summary>
    private static async Task<string> ListenerAsync(RunPod pod, int port, CancellationToken cancellationToken)
    {
        var listening = await new PodNetwork(pod).RunAsync("ss", ["-Hltnp", $"sport = :{port}"], cancellationToken);
        var line = listening.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        if (line is null)
        {
            return $"nothing (no listener on :{port}: the connection is refused)";
        }

        var users = line.IndexOf("users:", StringComparison.Ordinal);
        var pid = System.Text.RegularExpressions.Regex.Match(line, @"pid=(\d+)");
        var container = pid.Success ? PodProcess.Of(pod).FirstOrDefault(p => p.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture) == pid.Groups[1].Value)?.Container : null;
        return $"{(container is null ? "a process" : $"container {container}")} {(users >= 0 ? line[users..] : "")}".Trim();
    }
}
