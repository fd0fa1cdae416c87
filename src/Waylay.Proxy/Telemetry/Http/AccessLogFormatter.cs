using Waylay.Proxy.Configuration;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy.Telemetry.Http;

/// <summary>
/// Formats one access log line, Envoy's default format with Istio's additions:
/// <code>
/// [%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS%
/// %BYTES_RECEIVED% %BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%"
/// "%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%" %UPSTREAM_CLUSTER%
/// %UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS% %REQUESTED_SERVER_NAME% %ROUTE_NAME%
/// </code>
/// or the same values under Istio's JSON keys (sorted, numbers as numbers, absent as null).
/// </summary>
internal static partial class AccessLogFormatter
{
    public static LineBuilder Format(in AccessLogEntry e, AccessLogFormat format, char[] buffer)
    {
        var line = new LineBuilder(buffer);
        if (format == AccessLogFormat.Json)
        {
            Json(ref line, e);
        }
        else
        {
            Text(ref line, e);
        }

        line.Append('\n');
        return line;
    }

    private static void Text(ref LineBuilder line, in AccessLogEntry e)
    {
        line.Append('[');
        line.AppendTime(e.StartTime);
        line.Append("] \"");
        Value(ref line, e, Field.Method, json: false);
        line.Append(' ');
        Value(ref line, e, Field.Path, json: false);
        line.Append(' ');
        Value(ref line, e, Field.Protocol, json: false);
        line.Append("\" ");
        line.Append(e.ResponseCode);
        line.Append(' ');
        line.Append(e.Flags.ToEnvoyString());
        line.Append(' ');
        line.Append(e.BytesReceived);
        line.Append(' ');
        line.Append(e.BytesSent);
        line.Append(' ');
        line.Append(e.DurationMilliseconds);
        line.Append(' ');
        if (e.UpstreamServiceTimeMilliseconds is { } upstream)
        {
            line.Append(upstream);
        }
        else
        {
            line.Append('-');
        }

        foreach (var field in Quoted)
        {
            line.Append(" \"");
            Value(ref line, e, field, json: false);
            line.Append('"');
        }

        foreach (var field in Bare)
        {
            line.Append(' ');
            Value(ref line, e, field, json: false);
        }
    }

    private static void Json(ref LineBuilder line, in AccessLogEntry e)
    {
        line.Append("{\"authority\":");
        Value(ref line, e, Field.Authority, json: true);
        line.Append(",\"bytes_received\":");
        line.Append(e.BytesReceived);
        line.Append(",\"bytes_sent\":");
        line.Append(e.BytesSent);
        line.Append(",\"downstream_local_address\":");
        Value(ref line, e, Field.DownstreamLocalAddress, json: true);
        line.Append(",\"downstream_remote_address\":");
        Value(ref line, e, Field.DownstreamRemoteAddress, json: true);
        line.Append(",\"duration\":");
        line.Append(e.DurationMilliseconds);
        line.Append(",\"method\":");
        Value(ref line, e, Field.Method, json: true);
        line.Append(",\"path\":");
        Value(ref line, e, Field.Path, json: true);
        line.Append(",\"protocol\":");
        Value(ref line, e, Field.Protocol, json: true);
        line.Append(",\"request_id\":");
        Value(ref line, e, Field.RequestId, json: true);
        line.Append(",\"requested_server_name\":");
        Value(ref line, e, Field.RequestedServerName, json: true);
        line.Append(",\"response_code\":");
        line.Append(e.ResponseCode);
        line.Append(",\"response_flags\":\"");
        line.Append(e.Flags.ToEnvoyString());
        line.Append("\",\"route_name\":");
        Value(ref line, e, Field.RouteName, json: true);
        line.Append(",\"start_time\":\"");
        line.AppendTime(e.StartTime);
        line.Append("\",\"upstream_cluster\":");
        Value(ref line, e, Field.UpstreamCluster, json: true);
        line.Append(",\"upstream_host\":");
        Value(ref line, e, Field.UpstreamHost, json: true);
        line.Append(",\"upstream_local_address\":");
        Value(ref line, e, Field.UpstreamLocalAddress, json: true);
        line.Append(",\"upstream_service_time\":");
        if (e.UpstreamServiceTimeMilliseconds is { } upstream)
        {
            line.Append('"');
            line.Append(upstream);
            line.Append('"');
        }
        else
        {
            line.Append("null");
        }

        line.Append(",\"user_agent\":");
        Value(ref line, e, Field.UserAgent, json: true);
        line.Append(",\"x_forwarded_for\":");
        Value(ref line, e, Field.ForwardedFor, json: true);
        line.Append('}');
    }
}
