using System.Net;
using System.Text.Json.Nodes;

namespace Waylay.Diagnostics.Proxy;

/// <summary>
/// One row of the proxy's <c>/connections</c> (src/Waylay.Proxy/Admin/AdminEndpoints.cs): a relayed pair
/// (listener, the downstream socket, the original destination, the upstream socket) or a pooled upstream connection.
/// </summary>
internal sealed record ProxyConnection(
    long Id,
    string? Listener,
    string Direction,
    IPEndPoint? DownstreamRemote,
    IPEndPoint? DownstreamLocal,
    IPEndPoint? OriginalDestination,
    string? Service,
    IPEndPoint? Endpoint,
    IPEndPoint? UpstreamLocal,
    long BytesSent,
    long BytesReceived,
    string? State)
{
    public bool IsPair => DownstreamRemote is not null;

    public static IReadOnlyList<ProxyConnection> Parse(string json) =>
        JsonNode.Parse(json) is JsonArray rows
            ? [.. rows.OfType<JsonObject>().Select(Row)]
            : throw new DiagnosticsException($"the proxy's /connections is not a JSON array: {json[..Math.Min(json.Length, 200)]}");

    private static ProxyConnection Row(JsonObject r) => new(
        r["id"]?.GetValue<long>() ?? 0,
        Text(r, "listener"),
        Text(r, "direction") ?? "",
        EndpointOf(r, "downstreamRemote"),
        EndpointOf(r, "downstreamLocal"),
        EndpointOf(r, "originalDestination"),
        Text(r, "service"),
        EndpointOf(r, "endpoint"),
        EndpointOf(r, "upstreamLocal"),
        r["bytesSent"]?.GetValue<long>() ?? 0,
        r["bytesReceived"]?.GetValue<long>() ?? 0,
        Text(r, "state"));

    private static string? Text(JsonObject r, string name) => r[name]?.GetValue<string>();

    private static IPEndPoint? EndpointOf(JsonObject r, string name) =>
        Text(r, name) is { } text && IPEndPoint.TryParse(text, out var endpoint) ? Normalize(endpoint) : null;

    // The listeners are dual-stack ([::]:15001): an IPv4 peer shows as ::ffff:a.b.c.d, which conntrack writes as a.b.c.d.
    private static IPEndPoint Normalize(IPEndPoint e) =>
        e.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(e.Address.MapToIPv4(), e.Port) : e;
}
