using System.Net;
using Waylay.Proxy.Http.Headers;
using Waylay.Proxy.Telemetry.Http;

namespace Waylay.Proxy.Http.Forwarding;

/// <summary>What one request/response exchange has gathered for its telemetry by the time it ends.</summary>
internal sealed class Exchange
{
    public long Start { get; init; }

    public DateTimeOffset StartTime { get; init; }

    /// <summary>A field, not a property: <c>Fields.Fields</c> is a span into this struct, which must not be a temporary copy.</summary>
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
}
