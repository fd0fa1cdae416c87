using System.Net;
using Waylay.Proxy.Http.Headers;
using Waylay.Proxy.Telemetry.Http;

namespace Waylay.Proxy.Http.Forwarding;

/// <summary>
/// What one request/response exchange has gathered for its telemetry by the time it ends. An HTTP/1 connection
/// carries one exchange at a time, so it keeps one instance and <see cref="Begin"/>s it again per request (nothing
/// holds it past <c>Complete</c>, which copies what telemetry keeps).
/// </summary>
internal sealed class Http1Exchange
{
    public long Start { get; private set; }

    public DateTimeOffset StartTime { get; private set; }

    /// <summary>A field, not a property: decorated in place by <c>ref</c> and written by <c>in</c>, never copied per request.</summary>
    public ProxyFields Fields;

    public IstioLabels? Labels { get; set; }

    public string? RouteName { get; set; }

    public string? Cluster { get; set; }

    public IPEndPoint? UpstreamHost { get; set; }

    public IPEndPoint? UpstreamLocal { get; set; }

    public TimeSpan? UpstreamServiceTime { get; set; }

    public int Status { get; set; }

    public ResponseFlags Flags { get; set; }

    public long RequestBytes { get; set; }

    public long ResponseBytes { get; set; }

    /// <summary>Everything back to a new request's start; the proxy's fields are decorated into <see cref="Fields"/> next.</summary>
    public void Begin(long start, DateTimeOffset startTime)
    {
        (Start, StartTime) = (start, startTime);
        Fields = default;
        (Labels, RouteName, Cluster, UpstreamHost, UpstreamLocal, UpstreamServiceTime) = (null, null, null, null, null, null);
        (Status, Flags, RequestBytes, ResponseBytes) = (0, ResponseFlags.None, 0, 0);
    }
}
