namespace Waylay.Proxy.Http.Forwarding;

/// <summary>
/// An HTTP/1 connection's addresses as text, each made the first time a request needs it and kept for the next: the
/// access log's client and local address (only with an access log or a sampled span) and the Host for a request that
/// came without one. One object made when the first is wanted, where three fields were held by every connection.
/// </summary>
internal sealed class ConnectionTexts
{
    public string? Client;
    public string? DownstreamLocal;
    public string? DefaultAuthority;
}
