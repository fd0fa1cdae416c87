using System.Net;

namespace Waylay.Proxy.Connections;

/// <summary>
/// A pooled upstream connection as a downstream connection's row shows it (Pools/Http1UpstreamConnection.cs): where it
/// goes, and where it comes from, which it reads (getsockname) only when asked.
/// </summary>
internal interface IPooledUpstream
{
    IPEndPoint Remote { get; }

    IPEndPoint? Local { get; }
}
