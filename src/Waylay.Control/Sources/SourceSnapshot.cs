using Waylay.Mesh;
using Waylay.Mesh.Networking;

namespace Waylay.Control.Sources;

/// <summary>
/// Everything one source knows at one moment: the services, endpoints and workloads, the routing rules Waylay
/// accepted, and the status <c>/debug/syncz</c> prints (what was synced, and what was left out and why).
/// </summary>
/// <param name="Revision">Counts snapshots of this source, starting at 0 (empty, not synced).</param>
/// <param name="Synced">Every watched kind has been listed at least once; before that the mesh is incomplete.</param>
/// <param name="Routing">The accepted VirtualServices and DestinationRules as their source held them: what the discovery
/// stream sends, so proxies read exactly the documents the source read.</param>
internal sealed record SourceSnapshot(long Revision, bool Synced, MeshModel Mesh, NetworkingConfig Networking, SyncStatus Status, IReadOnlyList<Kubernetes.CustomObject>? Routing = null)
{
    public static SourceSnapshot Empty(string source) => new(0, false, MeshModel.Empty, NetworkingConfig.Empty, SyncStatus.Empty(source));
}
