using System.Text.Json;
using Waylay.Mesh;
using Waylay.Mesh.Networking;
using Waylay.Proxy.Routing;

namespace Waylay.Proxy.Admin;

internal sealed partial class ConfigDump
{
    /// <summary>Envoy's <c>retry_on</c> names, in the order Istio documents them.</summary>
    private static readonly (RetryOn Flag, string Name)[] RetryNames =
    [
        (RetryOn.FiveXx, "5xx"), (RetryOn.GatewayError, "gateway-error"), (RetryOn.ConnectFailure, "connect-failure"),
        (RetryOn.Reset, "reset"), (RetryOn.RefusedStream, "refused-stream"), (RetryOn.RetriableStatusCodes, "retriable-status-codes"),
        (RetryOn.Cancelled, "cancelled"), (RetryOn.DeadlineExceeded, "deadline-exceeded"), (RetryOn.ResourceExhausted, "resource-exhausted"),
        (RetryOn.Internal, "internal"), (RetryOn.Unavailable, "unavailable"),
    ];

    /// <summary>
    /// One route config per service port (Envoy names it by port; here host:port, since each host has its own): the
    /// routes as compiled from the VirtualService, in the order they are tried, with the policies in force — the
    /// default retries Istio adds included, so what is printed is what a request gets.
    /// </summary>
    private static void WriteRoutes(Utf8JsonWriter json, RouteTable table)
    {
        json.WriteStartArray("routes");
        foreach (var route in table.Routes)
        {
            json.WriteStartObject();
            json.WriteString("name", $"{route.Host}:{route.Port.Port}");
            json.WriteString("host", route.Host);
            json.WriteNumber("port", route.Port.Port);
            json.WriteString("virtualService", route.HostRoutes.Source?.Key);
            json.WriteStartArray("http");
            foreach (var http in route.HostRoutes.Routes)
            {
                WriteHttpRoute(json, http, route.Port.Port);
            }

            json.WriteEndArray();
            json.WriteStartArray("tcp");
            foreach (var (ports, targets) in route.HostRoutes.TcpRoutes)
            {
                json.WriteStartObject();
                json.WriteStartArray("ports");
                foreach (var port in ports)
                {
                    json.WriteNumberValue(port);
                }

                json.WriteEndArray();
                WriteDestinations(json, targets, route.Port.Port);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteHttpRoute(Utf8JsonWriter json, CompiledRoute route, ushort port)
    {
        json.WriteStartObject();
        json.WriteString("name", route.Name);
        json.WriteStartArray("match");
        foreach (var match in route.Matches)
        {
            json.WriteStartObject();
            json.WriteString("name", match.Name);
            WriteStringMatch(json, "uri", match.Uri);
            WriteStringMatch(json, "method", match.Method);
            json.WriteStartObject("headers");
            foreach (var header in match.Headers)
            {
                WriteStringMatch(json, header.Name, header.Match);
            }

            json.WriteEndObject();
            if (match.Port is { } matchPort)
            {
                json.WriteNumber("port", matchPort);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        WriteDestinations(json, route.Targets, port);
        json.WriteString("timeout", route.Timeout is { } timeout ? GoDuration.Format(timeout) : null);
        json.WriteStartObject("retries");
        json.WriteNumber("attempts", route.Retries.Attempts);
        json.WriteString("perTryTimeout", route.Retries.PerTryTimeout is { } perTry ? GoDuration.Format(perTry) : null);
        json.WriteString("retryOn", string.Join(",", RetryNames.Where(n => (route.Retries.On & n.Flag) != 0).Select(n => n.Name)));
        json.WriteStartArray("retriableStatusCodes");
        foreach (var code in route.Retries.StatusCodes)
        {
            json.WriteNumberValue(code);
        }

        json.WriteEndArray();
        json.WriteEndObject();
        if (route.Fault is { } fault)
        {
            json.WriteStartObject("fault");
            if (fault.Delay is { } delay)
            {
                json.WriteStartObject("delay");
                json.WriteString("fixedDelay", GoDuration.Format(delay.FixedDelay));
                json.WriteNumber("percentage", delay.Percentage);
                json.WriteEndObject();
            }

            if (fault.Abort is { } abort)
            {
                json.WriteStartObject("abort");
                json.WriteNumber("httpStatus", abort.HttpStatus);
                json.WriteNumber("percentage", abort.Percentage);
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        json.WriteString("rewriteUri", route.RewriteUri);
        json.WriteEndObject();
    }

    private static void WriteDestinations(Utf8JsonWriter json, IReadOnlyList<RouteTarget> targets, ushort port)
    {
        json.WriteStartArray("route");
        foreach (var target in targets)
        {
            json.WriteStartObject();
            json.WriteString("host", target.Destination.Host);
            json.WriteString("subset", target.Destination.Subset);
            json.WriteNumber("port", target.PortFor(port));
            json.WriteNumber("weight", targets.Count == 1 ? 100 : target.Weight);
            json.WriteString("cluster", target.ClusterName(target.PortFor(port)));
            if (target.IsMissingSubset)
            {
                // Envoy answers 503 NC: say so where the user looks, not only in the access log.
                json.WriteString("problem", $"no DestinationRule defines subset '{target.Destination.Subset}' of {target.Destination.Host}: requests get 503 NC");
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteStringMatch(Utf8JsonWriter json, string name, StringMatch? match)
    {
        if (match is null)
        {
            return;
        }

        json.WriteStartObject(name);
        json.WriteString(match.Kind.ToString().ToLowerInvariant(), match.Value);
        json.WriteEndObject();
    }
}
