using System.Net;

namespace Waylay.Proxy.Connections;

/// <summary>Who connected to the proxy (linkerd's Remote&lt;ClientAddr&gt;): never where they meant to go.</summary>
internal readonly record struct ClientAddress(IPEndPoint EndPoint)
{
    public override string ToString() => EndPoint.ToString();
}
