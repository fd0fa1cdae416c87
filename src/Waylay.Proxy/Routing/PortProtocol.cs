using Waylay.Mesh;

namespace Waylay.Proxy.Routing;

/// <summary>What a service port declares about its protocol, Istio's way (appProtocol first, then the name's prefix).</summary>
// Public only because xunit theories take it as a parameter (a test method must be public).
public enum DeclaredProtocol
{
    /// <summary>Nothing declared: sniff the first bytes.</summary>
    Unknown,
    Http,

    /// <summary>http2, grpc: h2c with prior knowledge.</summary>
    Http2,

    /// <summary>tcp, tls, https, and the server-first protocols Istio lists (mysql, mongo, redis…): relayed opaque, never sniffed.</summary>
    Opaque,
}

/// <summary>
/// Istio's explicit protocol selection (<c>appProtocol: http</c>, or a port named <c>http-web</c>, <c>tcp-db</c>…).
/// Opaque ports skip sniffing altogether, so a server-first protocol never waits for the sniff timeout.
/// </summary>
internal static class PortProtocol
{
    public static DeclaredProtocol Of(ServicePort port)
    {
        if (port.AppProtocol is { Length: > 0 } appProtocol)
        {
            var declared = Classify(appProtocol.ToLowerInvariant());
            if (declared != DeclaredProtocol.Unknown)
            {
                return declared;
            }
        }

        var name = port.Name.ToLowerInvariant();
        if (name.StartsWith("grpc-web", StringComparison.Ordinal))
        {
            return DeclaredProtocol.Unknown; // grpc-web rides on HTTP/1.1 or h2: let the sniffer tell
        }

        var dash = name.IndexOf('-');
        return Classify(dash < 0 ? name : name[..dash]);
    }

    /// <summary>Whether the connection core should sniff a connection to this port.</summary>
    public static bool ShouldSniff(ServicePort port) => Of(port) is DeclaredProtocol.Unknown;

    private static DeclaredProtocol Classify(string protocol) => protocol switch
    {
        "http" or "http1" or "kubernetes.io/http" => DeclaredProtocol.Http,
        "http2" or "grpc" or "kubernetes.io/h2c" => DeclaredProtocol.Http2,
        "tcp" or "tls" or "https" or "mysql" or "mongo" or "redis" or "smtp" or "postgres" or "kafka" => DeclaredProtocol.Opaque,
        _ => DeclaredProtocol.Unknown,
    };
}
