namespace Waylay.Mesh.Networking;

/// <summary>
/// A <c>networking.istio.io</c> VirtualService, read and validated: the hosts it claims (fully qualified), its
/// HTTP routes and its TCP routes, each in the order Istio evaluates them.
/// </summary>
public sealed record VirtualService(
    string Name,
    string Namespace,
    IReadOnlyList<string> Hosts,
    IReadOnlyList<HttpRoute> Http,
    IReadOnlyList<TcpRoute> Tcp)
{
    public string Key => $"{Name}.{Namespace}";
}
