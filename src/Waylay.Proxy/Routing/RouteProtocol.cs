using Waylay.Proxy.Io;

namespace Waylay.Proxy.Routing;

/// <summary>The kind of route a connection takes, decided once: opaque bytes, or HTTP request by request.</summary>
internal enum RouteProtocolKind
{
    /// <summary>Relayed as bytes (a port declared tcp, passthrough, or nothing HTTP seen).</summary>
    Tcp,

    /// <summary>HTTP/1.x: parsed on Waylay's own event loop.</summary>
    Http1,

    /// <summary>h2c (gRPC): served by Kestrel, the preface left unread.</summary>
    Http2,
}

/// <summary>The decision, with the socket on the event loop when it stays there (HTTP/1).</summary>
internal readonly record struct RouteProtocol(RouteProtocolKind Kind, EpollSocket? Polled = null)
{
    public static RouteProtocol Tcp { get; } = new(RouteProtocolKind.Tcp);
}
