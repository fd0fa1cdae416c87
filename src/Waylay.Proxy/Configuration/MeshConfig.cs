using Waylay.Mesh;
using Waylay.Mesh.Networking;

namespace Waylay.Proxy.Configuration;

/// <summary>
/// One whole, validated configuration as a source yields it: the services with their endpoints (mesh.yaml, or the
/// discovery client) and Istio's networking rules. Immutable: a change is a new instance, never an edit.
/// </summary>
internal sealed record MeshConfig(MeshModel Model, NetworkingConfig Networking)
{
    public static MeshConfig Empty { get; } = new(MeshModel.Empty, NetworkingConfig.Empty);
}
