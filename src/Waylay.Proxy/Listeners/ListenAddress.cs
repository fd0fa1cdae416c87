using System.Net;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy.Listeners;

/// <summary>An address the proxy listens on, and for which kind of traffic.</summary>
internal readonly record struct ListenAddress(IPEndPoint EndPoint, ListenerKind Kind)
{
    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()} {EndPoint}";
}
