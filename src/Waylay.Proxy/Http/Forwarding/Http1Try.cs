using System.Net;
using Waylay.Proxy.LoadBalancing;
using Waylay.Proxy.Routing;

namespace Waylay.Proxy.Http.Forwarding;

/// <summary>
/// One try of an HTTP/1 request, decided before it starts: the path to send (normalized, rewritten), the route it
/// follows (edits, retry policy), the one endpoint chosen for it and the source to bind, the cluster's pool limit it
/// entered, whether another try may follow (<see cref="Last"/>) and whether it must take a new connection
/// (<see cref="Fresh"/>: a pooled one turned out closed by the server).
/// </summary>
internal readonly record struct Http1Try(
    string Path,
    RouteSelection Selection,
    UpstreamChoice Choice,
    IPEndPoint Target,
    IPEndPoint? Source,
    PoolLimiter Limiter,
    bool Last,
    bool Fresh);
