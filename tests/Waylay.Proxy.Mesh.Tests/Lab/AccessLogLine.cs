using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Waylay.TestKit;

namespace Waylay.Proxy.Mesh.Tests.Lab;

/// <summary>
/// One access-log line, read from Envoy's default text format (Istio's <c>accessLogFormat</c> default) or from
/// Istio's JSON keys (<c>--access-log-format json</c>). Only the fields the tests assert on.
/// </summary>
internal sealed partial record AccessLogLine(string Method, string Path, int ResponseCode, string ResponseFlags, long DurationMilliseconds,
    string Authority, string UpstreamHost, string UpstreamCluster, string Raw, long BytesReceived = -1)
{
    public static AccessLogLine Parse(string line) => line.StartsWith('{') ? ParseJson(line) : ParseText(line);

    public static IReadOnlyList<AccessLogLine> ReadAll(TestFile file) => file.CompleteLines().Where(l => l.Length > 0).Select(Parse).ToList();

    private static AccessLogLine ParseText(string line)
    {
        var m = TextFormat().Match(line);
        if (!m.Success)
        {
            throw new FormatException($"not Envoy's default access-log format: {line}");
        }

        return new AccessLogLine(m.Groups["method"].Value, m.Groups["path"].Value, int.Parse(m.Groups["code"].Value, CultureInfo.InvariantCulture),
            m.Groups["flags"].Value, long.Parse(m.Groups["duration"].Value, CultureInfo.InvariantCulture), m.Groups["authority"].Value,
            m.Groups["upstream"].Value, m.Groups["cluster"].Value, line, long.Parse(m.Groups["received"].Value, CultureInfo.InvariantCulture));
    }

    private static AccessLogLine ParseJson(string line)
    {
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        string Text(string key) => root.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "-";
        long Number(string key) => root.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : -1;
        return new AccessLogLine(Text("method"), Text("path"), (int)Number("response_code"), Text("response_flags"), Number("duration"),
            Text("authority"), Text("upstream_host"), Text("upstream_cluster"), line, Number("bytes_received"));
    }

    // [%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS%
    // %BYTES_RECEIVED% %BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%"
    // "%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%" %UPSTREAM_CLUSTER% …
    [GeneratedRegex("""^\[(?<start>[^\]]+)\] "(?<method>\S+) (?<path>\S+) (?<protocol>\S+)" (?<code>\d+) (?<flags>\S+) (?<received>\d+) (?<sent>\d+) (?<duration>\d+) (?<upstreamtime>\S+) "(?<xff>[^"]*)" "(?<ua>[^"]*)" "(?<id>[^"]*)" "(?<authority>[^"]*)" "(?<upstream>[^"]*)" (?<cluster>\S+)""")]
    private static partial Regex TextFormat();
}
