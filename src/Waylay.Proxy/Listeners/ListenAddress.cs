using System.Net;

namespace Waylay.Proxy.Listeners;

/// <summary>An address the proxy listens on, and for which kind of traffic.</summary>
internal readonly record struct ListenAddress(IPEndPoint EndPoint, ListenerKind Kind)
{
    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()} {EndPoint}";
}

/// <summary>Which capture port accepted the connection.</summary>
internal enum ListenerKind
{
    /// <summary>15001: the app's outgoing connections (and in the seed's single-port layout, inbound ones too).</summary>
    Outbound,

    /// <summary>15006: connections addressed to the pod.</summary>
    Inbound,
}
