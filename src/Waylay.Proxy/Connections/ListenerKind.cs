namespace Waylay.Proxy.Connections;

/// <summary>Which capture port accepted the connection.</summary>
internal enum ListenerKind
{
    /// <summary>15001: the app's outgoing connections (and in the seed's single-port layout, inbound ones too).</summary>
    Outbound,

    /// <summary>15006: connections addressed to the pod.</summary>
    Inbound,
}
