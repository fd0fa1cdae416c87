using Waylay.Diagnostics.Explain;
using Waylay.Diagnostics.Names;
using Waylay.Diagnostics.Pods;
using Waylay.Diagnostics.Rules;
using Waylay.Node.State;

namespace Waylay.Diagnostics.Experiments;

/// <summary>
/// <c>waylay experiment traffic-paths</c>: the seed's seven sources against one target pod of the running mesh, each
/// predicted (<see cref="PathPlanner"/>) and made for real (<see cref="PathRun"/>), with a verdict per source.
/// <code>
///  (1) from outside through the ingress gateway (GatewaySource; not run when the run has no gateway routing there)
///  (2) another pod's app → the Service by name            (3) … by ClusterIP
///  (4) another pod's sidecar → the Service by name        (5) … by ClusterIP
///  (6) the target's own app → localhost                   (7) the target's sidecar → localhost
/// </code>
/// </summary>
internal static class TrafficPaths
{
    public static IReadOnlyList<TrafficSource> Sources(RunPod target, RunPod other, string service, string clusterIp, int port, RunPod? gateway, GatewaySource.Request? request)
    {
        var name = $"{service}:{port}";
        var ip = $"{clusterIp}:{port}";
        var local = $"localhost:{port}";
        return
        [
            new(1, $"through the ingress gateway: GET {request?.Path ?? "/"}", gateway?.Name ?? "", "istio-proxy", name,
                "node DNAT of the gateway's Service → the gateway proxy (not injected) routes by its VirtualService and dials an endpoint → target's PREROUTING captures (15006) → its proxy → app",
                false, true,
                NotRun: gateway is null ? "no ingress gateway in this run (waylay up runs it when the manifests hold a Gateway)"
                    : request is null ? $"no VirtualService bound to a gateway routes to {service}" : null),
            new(2, $"{other.Name}'s app → {name}", other.Name, "app", name, "caller's OUTPUT captures (15001) → its proxy → kube-proxy DNAT → target's PREROUTING captures (15006) → app", true, true),
            new(3, $"{other.Name}'s app → {ip}", other.Name, "app", ip, "the same as (2): a ClusterIP is what the name resolves to", true, true),
            new(4, $"{other.Name}'s sidecar → {name}", other.Name, "sidecar", name, "caller's OUTPUT lets uid 1337 pass → kube-proxy DNAT → target's PREROUTING captures (15006) → app", false, true),
            new(5, $"{other.Name}'s sidecar → {ip}", other.Name, "sidecar", ip, "the same as (4)", false, true),
            new(6, $"{target.Name}'s app → {local}", target.Name, "app", local, "OUTPUT returns for lo (not the proxy's uid): the app answers itself"),
            new(7, $"{target.Name}'s sidecar → {local}", target.Name, "sidecar", local, "OUTPUT returns for the proxy's uid: the app answers the sidecar directly"),
        ];
    }

    /// <summary>Runs every source that can run, one after the other (each reads counters as deltas of its own connection).</summary>
    public static async Task<IReadOnlyList<TrafficResult>> RunAsync(string runDirectory, string targetQuery, TimeProvider time, CancellationToken cancellationToken)
    {
        var target = PodLookup.Find(runDirectory, targetQuery);
        var app = target.Labels.GetValueOrDefault("app") ?? throw new DiagnosticsException($"pod {target.Name} has no app label: which Service is it behind? pick a pod of a Service with --target");
        var records = ClusterRecords.Read(runDirectory);
        var service = $"{app}.{target.KubeNamespace}.svc.cluster.local";
        var clusterIp = records.TryGetValue(service, out var address) ? address.ToString()
            : throw new DiagnosticsException($"no Service {app} in the run's DNS records: the experiment calls the target through its Service");
        var port = (target.Manifest?["spec"]?["containers"]?[0]?["ports"]?[0]?["containerPort"]?.GetValue<int>())
            ?? throw new DiagnosticsException($"pod {target.Name} declares no container port to call");
        // On two nodes the caller is a pod of the other node (its connection crosses the underlay), as the seed's was.
        var other = PodLookup.All(runDirectory).Where(p => p.Name != target.Name && PodCapture.Of(p) is not null)
            .OrderBy(p => p.Record.Node == target.Record.Node ? 1 : 0).ThenBy(p => p.Name, StringComparer.Ordinal).FirstOrDefault()
            ?? throw new DiagnosticsException("the experiment needs a second injected pod to call from; the run has none");

        var gateway = GatewaySource.Find(runDirectory);
        var request = gateway is null ? null : GatewaySource.RequestFor(gateway, app, target.KubeNamespace);
        // A mesh just brought up: its proxies learn the target's readiness a moment after up returns. The sources wait for
        // their callers' proxies to hold it (at most 30 s; past that the sources run, and the report shows what differs).
        var endpoint = new System.Net.IPEndPoint(target.Address!, port);
        foreach (var caller in (RunPod?[])[gateway, other])
        {
            if (caller is not null)
            {
                await Proxy.ProxyEndpoints.WaitHealthyAsync(caller, endpoint, TimeSpan.FromSeconds(30), time, cancellationToken);
            }
        }

        var results = new List<TrafficResult>();
        foreach (var source in Sources(target, other, app, clusterIp, port, gateway, request))
        {
            if (source.NotRun is not null)
            {
                results.Add(new TrafficResult(source, [], source.NotRun, Verdict.NotRun));
                continue;
            }

            var from = PodLookup.Find(runDirectory, source.FromPod);
            var processes = PodProcess.Of(from);
            var process = (source.FromContainer is "sidecar" or "istio-proxy" ? processes.FirstOrDefault(p => p.IsProxy) : processes.FirstOrDefault(p => !p.IsProxy))
                ?? throw new DiagnosticsException($"pod {from.Name} has no running {source.FromContainer}");
            var (predicted, destination) = source.Number == 1
                ? await GatewaySource.PredictAsync(from, request!, new System.Net.IPEndPoint(System.Net.IPAddress.Parse(clusterIp), port), cancellationToken)
                : (await PathPlanner.PredictAsync(from, process, Destination.Resolve(source.To, from), cancellationToken), Destination.Resolve(source.To, from));
            var http = source.Number == 1 ? $"GET {request!.Path} HTTP/1.1\\r\\nHost: {request.Host}\\r\\n\\r\\n" : null;
            await using var watch = await PacketWatch.StartAsync(target, port, cancellationToken);
            var (steps, connection) = await PathRun.ConfirmAsync(from, process, destination, predicted, time, cancellationToken, http);
            var packets = await watch.StopAsync();
            var seed = AsTheSeedSays(source, target, steps);
            results.Add(new TrafficResult(source, steps, connection, PathOutcome.Mismatches(steps) > 0 ? Verdict.Differs : seed is null ? Verdict.Confirmed : Verdict.NotAsSeed, seed) { Packets = packets, Caller = from.Name });
        }

        return results;
    }

    /// <summary>Null when the observed path is the one the seed describes, else what differs.</summary>
    private static string? AsTheSeedSays(TrafficSource source, RunPod target, IReadOnlyList<PathStep> steps)
    {
        var caller = steps.First(s => s.Capture is not null);
        var callee = steps.FirstOrDefault(s => s.Pod == target.Name && s.Where.EndsWith("PREROUTING", StringComparison.Ordinal));
        var problems = new List<string>();
        if ((caller.Capture == Capture.Explain.VerdictKind.Redirected) != source.CallerCaptures)
        {
            problems.Add($"the caller's OUTPUT {(source.CallerCaptures ? "did not capture" : "captured")} it");
        }

        if (source.TargetCaptures is { } captures && (callee?.Capture == Capture.Explain.VerdictKind.Redirected) != captures)
        {
            problems.Add(callee is null ? "it never reached the target's PREROUTING" : $"the target's PREROUTING {(captures ? "did not capture" : "captured")} it");
        }

        if (source.TargetCaptures is null && callee is not null)
        {
            problems.Add("it left the pod instead of staying on loopback");
        }

        return problems.Count == 0 ? null : string.Join("; ", problems);
    }
}

internal enum Verdict
{
    /// <summary>Reality matched the prediction, and the path is the one the seed describes.</summary>
    Confirmed,

    /// <summary>Some step of the prediction was not seen.</summary>
    Differs,

    /// <summary>Predicted and seen alike, but not the seed's path (a mesh configured differently).</summary>
    NotAsSeed,

    NotRun,
}

/// <summary>A source's path as predicted and observed, and the verdict.</summary>
internal sealed record TrafficResult(TrafficSource Source, IReadOnlyList<PathStep> Steps, string Connection, Verdict Verdict, string? SeedDifference = null)
{
    /// <summary>What tcpdump saw on the target pod's interfaces (eth0 and lo) while the source ran, addresses named.</summary>
    public IReadOnlyList<string> Packets { get; init; } = [];

    /// <summary>The calling pod's name, as the packet lines name it.</summary>
    public string? Caller { get; init; }

    /// <summary>
    /// The packet lines to show: the caller's own first (those naming it), since the target's other traffic on the
    /// port (a pooled connection of an earlier caller closing, say) can fill the excerpt before this source's SYN.
    /// </summary>
    public IReadOnlyList<string> Excerpt(int lines)
    {
        var own = Caller is { } caller ? Packets.Where(l => l.Contains(caller, StringComparison.Ordinal)).ToList() : [];
        return [.. (own.Count > 0 ? own : Packets).Take(lines)];
    }
}
