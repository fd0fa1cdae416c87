using System.Diagnostics;
using System.Globalization;
using Waylay.Capture.Options;
using Waylay.Capture.Plan;
using Waylay.Diagnostics.Conntrack;
using Waylay.Diagnostics.Pods;
using Waylay.Diagnostics.Proxy;
using Waylay.Diagnostics.Rules;
using Waylay.Node.State;

namespace Waylay.Diagnostics.Explain;

/// <summary>
/// <c>explain --run</c>: makes the predicted connection for real, from inside the caller's network namespace as the
/// container's uid and gid (so the owner match sees what it sees for that container), holds it open, and confirms
/// each step from what the kernel and the proxies show: counter deltas, new conntrack entries, <c>/connections</c>.
/// Nothing in the pods is changed; the only thing made is the one connection, closed at the end.
/// </summary>
internal static class PathRun
{
    /// <summary>How long the effects of the connection (the proxy's onward connect, the peer's SYN) may take to show.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(10);

    public static async Task<(IReadOnlyList<PathStep> Steps, string Connection)> ConfirmAsync(
        RunPod from, PodProcess process, Destination to, IReadOnlyList<PathStep> predicted, TimeProvider time, CancellationToken cancellationToken, string? httpRequest = null)
    {
        httpRequest ??= predicted.Select(s => s.HttpRequest).FirstOrDefault(r => r is not null);
        var pods = predicted.SelectMany(s => s.Checks).Select(c => c.Pod).DistinctBy(p => p.Name).ToList();
        var before = await SnapshotAsync(pods, cancellationToken);
        using var connection = Start(from, process, to, httpRequest);
        var line = await connection.StandardOutput.ReadLineAsync(cancellationToken);
        var connected = line?.StartsWith("connected", StringComparison.Ordinal) == true;
        var outcome = connected ? $"connected to {to.EndPoint} as uid {process.Uid}{(httpRequest is null ? "" : $", answered '{line!["connected".Length..].Trim()}'")}" : $"the connection to {to.EndPoint} failed: {(await connection.StandardError.ReadToEndAsync(cancellationToken)).Trim()}";
        try
        {
            var deadline = time.GetTimestamp();
            while (true)
            {
                var after = await SnapshotAsync(pods, cancellationToken);
                var reuse = before.TryGetValue(from.Name, out var callerBefore) ? PooledReuse.Find(callerBefore.Connections, after[from.Name].Connections, to.EndPoint) : null;
                var steps = predicted.Select(s => s with
                {
                    Observed = [.. s.Checks.Select(c => reuse is not null && reuse.Covers(s, c) ? reuse.Observe(c, after[c.Pod.Name].Conntrack)
                        : Observe(c, before[c.Pod.Name], after[c.Pod.Name]))],
                }).ToList();
                if (steps.All(s => s.Observed.All(o => o.Seen)) || time.GetElapsedTime(deadline) > Settle || !AnyPeerPending(steps))
                {
                    return (steps, outcome);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(200), time, cancellationToken);
            }
        }
        finally
        {
            if (!connection.HasExited)
            {
                connection.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>
    /// Whether waiting can still change the answer: some step is not yet confirmed while no inbound step is (the
    /// peer's SYN may not have arrived), or a step before the peers is not (the pods are read one after the other, so
    /// the caller's proxy may be read just before its pair shows while the peer, read after, already shows it).
    /// Once one endpoint shows the connection, the other endpoints were simply not picked.
    /// </summary>
    private static bool AnyPeerPending(List<PathStep> steps) =>
        steps.Any(s => !IsInbound(s) && s.Observed.Any(o => !o.Seen))
        || (steps.Any(s => s.Observed.Any(o => !o.Seen)) && !steps.Any(s => IsInbound(s) && s.Observed.Count > 0 && s.Observed.All(o => o.Seen)));

    private static bool IsInbound(PathStep step) => step.Where.EndsWith("PREROUTING", StringComparison.Ordinal);

    private static Process Start(RunPod from, PodProcess process, Destination to, string? httpRequest)
    {
        // bash's /dev/tcp: a plain connect(2), then held open (sleep) so the proxies' pairs are live while they are read;
        // through a gateway (an HTTP router, not transparent) one request is sent first and its status line read.
        var request = httpRequest is null ? "echo connected" : $"printf '{httpRequest}' >&3; IFS= read -r -t 20 status <&3; echo \"connected ${{status%$'\\r'}}\"";
        var script = $"exec 3<>/dev/tcp/{to.Address}/{to.Port.ToString(CultureInfo.InvariantCulture)} || exit 7; {request}; exec sleep 120";
        var start = new ProcessStartInfo("nsenter") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["--net=" + from.NetnsPath, "--setuid", process.Uid.ToString(CultureInfo.InvariantCulture), "--setgid", process.Gid.ToString(CultureInfo.InvariantCulture), "--", "bash", "-c", script])
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new DiagnosticsException("nsenter did not start");
    }

    private sealed record Snapshot(PodRules Rules, IReadOnlyList<ConntrackEntry> Conntrack, IReadOnlyList<ProxyConnection> Connections, long ProxyLogLength);

    /// <summary>The proxy container's log (the gateway writes its access log to stdout, which the node keeps there).</summary>
    private static string ProxyLog(RunPod pod) =>
        Path.Combine(pod.Run.Directory, "pods", pod.Name, "logs", (PodProcess.Of(pod).FirstOrDefault(p => p.IsProxy)?.Container ?? PodProcess.ProxyContainer) + ".log");

    private static async Task<Dictionary<string, Snapshot>> SnapshotAsync(List<RunPod> pods, CancellationToken cancellationToken)
    {
        var snapshots = new Dictionary<string, Snapshot>(StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            var network = new PodNetwork(pod);
            IReadOnlyList<ProxyConnection> connections;
            try
            {
                connections = !PodProcess.Of(pod).Any(p => p.IsProxy) ? [] : await ProxyAdmin.ConnectionsAsync(network, cancellationToken);
            }
            catch (DiagnosticsException)
            {
                connections = []; // no proxy answering: its checks fail, which is the finding
            }

            snapshots[pod.Name] = new Snapshot(await PodRules.ReadAsync(pod, cancellationToken), await ConntrackTable.ReadAsync(network, cancellationToken), connections,
                File.Exists(ProxyLog(pod)) ? new FileInfo(ProxyLog(pod)).Length : 0);
        }

        return snapshots;
    }

    private static (PathCheck, bool, string) Observe(PathCheck check, Snapshot before, Snapshot after)
    {
        switch (check)
        {
            case RuleCounted rule:
                // Found by the planned rule, in the text of whichever backend holds it (iptables or native nft counters).
                var now = after.Rules.Kernel.Find(rule.Planned, IpFamily.V4);
                var then = before.Rules.Kernel.Find(rule.Planned, IpFamily.V4);
                var delta = now is null ? 0 : now.Packets - Math.Min(now.Packets, then?.Packets ?? 0);
                return (check, delta > 0, now is null ? "the rule is not in the kernel" : $"+{delta} packet(s) on {rule.Table.Name()} {rule.Chain} #{now.Number}");
            case ConntrackSeen seen:
                var old = before.Conntrack.Select(e => e.Original).ToHashSet();
                var fresh = after.Conntrack.Where(e => !old.Contains(e.Original) && e.Original.Destination.Equals(seen.Destination) && e.Original.Source.Address.Equals(seen.Source)).ToList();
                var match = fresh.FirstOrDefault(e => seen.RedirectPort is { } p ? e.RedirectedTo?.Port == p : e.RedirectedTo is null);
                return (check, match is not null, match is not null ? $"{match.Protocol} {match.State} {match.Original} reply {match.Reply}"
                    : fresh.Count > 0 ? $"only {string.Join("; ", fresh.Select(e => $"{e.Original} reply {e.Reply}"))}" : "no new entry");
            case ConntrackToOneOf any:
                var known = before.Conntrack.Select(e => e.Original).ToHashSet();
                var hit = after.Conntrack.FirstOrDefault(e => !known.Contains(e.Original) && any.Endpoints.Contains(e.Original.Destination)
                    && e.Original.Source.Address.Equals(any.Source) && e.RedirectedTo is null);
                return (check, hit is not null, hit is null ? "no new entry to those endpoints" : $"{hit.Protocol} {hit.State} {hit.Original} reply {hit.Reply}");
            case ProxyRelays relays:
                var pair = after.Connections.FirstOrDefault(c => c.Listener == relays.Listener && relays.Destination.Equals(c.OriginalDestination));
                return (check, pair is not null, pair is null ? "no such pair in /connections" : $"pair #{pair.Id} {pair.DownstreamRemote} → {pair.Endpoint} ({pair.State})");
            case AccessLogged logged:
                using (var log = new FileStream(ProxyLog(logged.Pod), FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
                {
                    log.Seek(before.ProxyLogLength, SeekOrigin.Begin);
                    var line = new StreamReader(log).ReadToEnd().Split('\n').FirstOrDefault(l => l.Contains($"\"GET {logged.RequestPath} ", StringComparison.Ordinal));
                    return (check, line is not null, line?.Trim() ?? "no new line for it in the proxy's log");
                }

            case ProxyPools pools:
                var upstream = after.Connections.FirstOrDefault(c => c.Endpoint is { } e && pools.Endpoints.Contains(e));
                return (check, upstream is not null, upstream is null ? "no connection to those endpoints in /connections" : $"#{upstream.Id} {upstream.Direction} {upstream.UpstreamLocal} → {upstream.Endpoint} ({upstream.Service})");
            default:
                throw new ArgumentOutOfRangeException(nameof(check), check, "unknown check");
        }
    }
}
