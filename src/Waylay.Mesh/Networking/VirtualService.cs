namespace Waylay.Mesh.Networking;

/// <summary>
/// A <c>networking.istio.io</c> VirtualService, read and validated: the hosts it claims (fully qualified, or <c>*</c>
/// for one bound to gateways only), its HTTP routes and its TCP routes, each in the order Istio evaluates them.
/// </summary>
public sealed record VirtualService(
    string Name,
    string Namespace,
    IReadOnlyList<string> Hosts,
    IReadOnlyList<HttpRoute> Http,
    IReadOnlyList<TcpRoute> Tcp)
{
    /// <summary>The reserved gateway name for every sidecar of the mesh.</summary>
    public const string MeshGateway = "mesh";

    public string Key => $"{Name}.{Namespace}";

    /// <summary>
    /// <c>spec.gateways</c> resolved: <see cref="MeshGateway"/>, or <c>namespace/name</c> of a Gateway. Empty means
    /// <c>[mesh]</c>, as in Istio.
    /// </summary>
    public IReadOnlyList<string> Gateways { get; init; } = [];

    /// <summary>spec.exportTo: the namespaces that see it (<see cref="ExportTo"/>); empty means every namespace.</summary>
    public IReadOnlyList<string> ExportTo { get; init; } = [];

    /// <summary>Istio's rule: without <c>gateways</c> a VirtualService applies to sidecars only; with them, to sidecars
    /// only when <c>mesh</c> is one of them.</summary>
    public bool AppliesToMesh => Gateways.Count == 0 || Gateways.Contains(MeshGateway);

    /// <summary>Whether this VirtualService is bound to the Gateway <paramref name="reference"/> (<c>namespace/name</c>).</summary>
    public bool BoundTo(string reference) => Gateways.Contains(reference);
}
