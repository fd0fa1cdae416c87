namespace Waylay.Proxy.Connections;

/// <summary>Which way a connection crosses the pod boundary.</summary>
internal enum TrafficDirection
{
    Unknown,

    /// <summary>Addressed to the pod itself: goes to the app.</summary>
    Inbound,

    /// <summary>Leaving the pod: to a service's endpoint, or passed through.</summary>
    Outbound,
}
