namespace Waylay.Proxy.Configuration;

/// <summary>
/// Where the proxy's configuration comes from: the files (<see cref="MeshFileSource"/>) or the control plane's stream
/// (<see cref="DiscoveryMeshSource"/>). A source validates what it receives and yields only whole snapshots; a bad
/// update is reported by the source and never reaches <see cref="Changed"/>, so the last good snapshot stays in force. The routing stage
/// (<c>Routing/RouteTableManager.cs</c>) builds its table from each snapshot and swaps it atomically.
/// </summary>
internal interface IMeshSource : IDisposable
{
    /// <summary>The latest accepted snapshot (an empty one when the source has none).</summary>
    MeshConfig Current { get; }

    /// <summary>Snapshots accepted since start (the first not counted).</summary>
    long Reloads { get; }

    /// <summary>Updates refused since start (each reported once, with every error).</summary>
    long RejectedReloads { get; }

    /// <summary>
    /// Why the proxy must not be ready yet, or null: a source that has never delivered a config says so, and
    /// <c>/healthz/ready</c> answers 503 with it (Istio's agent is unready until its first config from istiod).
    /// </summary>
    string? NotReadyReason { get; }

    /// <summary>Raised on the source's own thread after <see cref="Current"/> changed.</summary>
    event Action? Changed;
}
