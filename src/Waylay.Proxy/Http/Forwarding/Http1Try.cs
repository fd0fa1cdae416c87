using System.Net;
using Waylay.Proxy.Http.Policy;
using Waylay.Proxy.LoadBalancing;
using Waylay.Proxy.Routing;

namespace Waylay.Proxy.Http.Forwarding;

/// <summary>
/// One try of an HTTP/1 request, decided before it starts: what the request's policy stage decided (the route, its
/// retry policy, the path and header edits to send with, <see cref="RequestRoute"/>), the one endpoint chosen for it
/// and the source to bind, the cluster's pool limit it entered, whether another try may follow (<see cref="Last"/>)
/// and whether it must take a new connection (<see cref="Fresh"/>: a pooled one turned out closed by the server).
/// </summary>
internal readonly record struct Http1Try(
    RequestRoute Route,
    UpstreamChoice Choice,
    IPEndPoint Target,
    IPEndPoint? Source,
    PoolLimiter Limiter,
    bool Last,
    bool Fresh);
