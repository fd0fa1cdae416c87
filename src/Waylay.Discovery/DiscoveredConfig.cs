using Waylay.Mesh;
using Waylay.Mesh.Networking;

namespace Waylay.Discovery;

/// <summary>
/// What the stream delivered, checked and complete: the same (model, rules) pair the proxy's file source reads
/// from <c>--config</c> and <c>--rules</c>. <see cref="MeshModel.Version"/> is the newest of <paramref name="Versions"/>,
/// so it equals the control plane's version once the proxy has caught up.
/// </summary>
public sealed record DiscoveredConfig(MeshModel Mesh, NetworkingConfig Networking, IReadOnlyDictionary<string, string> Versions);
