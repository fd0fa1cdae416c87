namespace Waylay.Diagnostics.Experiments;

/// <summary>
/// One of the seed's seven sources of traffic to the target pod: who connects (a pod and its app or sidecar), to what
/// (the Service's name, its ClusterIP, or localhost), and the path as the seed explains it. A source this machine cannot
/// run yet carries the reason (<see cref="NotRun"/>) and is reported as such, never faked. The seed's verdict is
/// whether the caller's OUTPUT captures the connection and whether the target's PREROUTING does (null: it never
/// arrives there, it stays on the target's loopback).
/// </summary>
internal sealed record TrafficSource(
    int Number, string Title, string FromPod, string FromContainer, string To, string SeedPath, bool CallerCaptures = false, bool? TargetCaptures = null, string? NotRun = null);
