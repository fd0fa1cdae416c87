namespace Waylay.Proxy.Http.Http1;

/// <summary>How the body after a head is delimited (RFC 9112 §6.3).</summary>
// Public only because xunit theories take it as a parameter (a test method must be public).
public enum BodyFraming
{
    /// <summary>No body: a request without Content-Length or Transfer-Encoding, a HEAD response, 1xx/204/304.</summary>
    None,

    /// <summary>Exactly <c>ContentLength</c> bytes.</summary>
    ContentLength,

    /// <summary><c>Transfer-Encoding: chunked</c>: decoded and re-encoded canonically by the proxy.</summary>
    Chunked,

    /// <summary>A response without length: the body ends when the upstream closes (the connection is not reusable).</summary>
    UntilClose,

    /// <summary>After a 101 or a 2xx answer to CONNECT: the connection becomes an opaque tunnel.</summary>
    Tunnel,
}

/// <summary>HTTP/1.0 or HTTP/1.1; anything else is refused (505 for requests).</summary>
internal enum Http1Version
{
    Http10,
    Http11,
}
