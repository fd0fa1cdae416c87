namespace Waylay.Control.Tests.KubeApi;

/// <summary>
/// What the recorded server does with one watch request, step by step, as the real API server would:
/// answer <c>410 Gone</c> outright, or stream events (one JSON object per line, chunked, flushed), then end the
/// watch normally, send an <c>ERROR</c> 410 event, drop the connection, or hold it open (the default at the end,
/// until the client goes away).
/// </summary>
internal sealed class WatchSession
{
    internal readonly List<(StepKind Kind, string? Line)> Steps = [];

    /// <summary>Answers the watch request itself with HTTP 410 and a Status body ("too old resource version").</summary>
    public WatchSession Gone()
    {
        Steps.Add((StepKind.HttpGone, null));
        return this;
    }

    /// <summary>Sends each line of a recorded <c>.jsonl</c> file under testdata/kube/ as one watch event.</summary>
    public WatchSession Events(string file)
    {
        foreach (var line in File.ReadAllLines(RecordedKubeApiServer.DataPath(file)))
        {
            if (line.Trim().Length > 0)
            {
                Steps.Add((StepKind.Event, line.Trim()));
            }
        }

        return this;
    }

    public WatchSession Event(string json)
    {
        Steps.Add((StepKind.Event, json));
        return this;
    }

    /// <summary>A BOOKMARK carrying only a resourceVersion, as the server sends them.</summary>
    public WatchSession Bookmark(string kind, string apiVersion, string resourceVersion) =>
        Event("{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"" + kind + "\",\"apiVersion\":\"" + apiVersion
              + "\",\"metadata\":{\"resourceVersion\":\"" + resourceVersion + "\"}}}");

    /// <summary>The ERROR event the server sends when the watch's resourceVersion was compacted away; then it closes.</summary>
    public WatchSession ErrorGone(string resourceVersion) =>
        Error(410, "Expired", $"too old resource version: {resourceVersion} (9000)");

    /// <summary>An ERROR event carrying a Status, then the end of the watch, as the API server does.</summary>
    public WatchSession Error(int code, string reason, string message)
    {
        Event("""{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"MESSAGE","reason":"REASON","code":CODE}}"""
            .Replace("MESSAGE", message, StringComparison.Ordinal)
            .Replace("REASON", reason, StringComparison.Ordinal)
            .Replace("CODE", code.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        Steps.Add((StepKind.Close, null));
        return this;
    }

    /// <summary>Ends the response normally, as when the watch's timeoutSeconds runs out.</summary>
    public WatchSession Close()
    {
        Steps.Add((StepKind.Close, null));
        return this;
    }

    /// <summary>Aborts the connection mid-stream (no terminating chunk), as a failing load balancer does.</summary>
    public WatchSession Drop()
    {
        Steps.Add((StepKind.Drop, null));
        return this;
    }

    internal enum StepKind
    {
        Event,
        HttpGone,
        Close,
        Drop,
    }
}
