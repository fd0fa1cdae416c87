using System.Collections.Concurrent;

namespace Waylay.Proxy.Connections;

/// <summary>
/// Envoy's response flags (<c>%RESPONSE_FLAGS%</c>, Istio's <c>response_flags</c> label): why the proxy answered what
/// it did. The bit order is Envoy's, so a combination renders as Envoy renders it ("UF,URX").
/// </summary>
[Flags]
// Public only because xunit theories take it as a parameter (a test method must be public).
public enum ResponseFlags
{
    None = 0,
    FailedLocalHealthCheck = 1 << 0,        // LH
    NoHealthyUpstream = 1 << 1,             // UH
    UpstreamRequestTimeout = 1 << 2,        // UT
    LocalReset = 1 << 3,                    // LR
    UpstreamRemoteReset = 1 << 4,           // UR
    UpstreamConnectionFailure = 1 << 5,     // UF
    UpstreamConnectionTermination = 1 << 6, // UC
    UpstreamOverflow = 1 << 7,              // UO
    NoRouteFound = 1 << 8,                  // NR
    DelayInjected = 1 << 9,                 // DI
    FaultInjected = 1 << 10,                // FI
    RateLimited = 1 << 11,                  // RL
    DownstreamConnectionTermination = 1 << 12, // DC
    UpstreamRetryLimitExceeded = 1 << 13,   // URX
    StreamIdleTimeout = 1 << 14,            // SI
    DownstreamProtocolError = 1 << 15,      // DPE
    UpstreamMaxStreamDurationReached = 1 << 16, // UMSDR
    DurationTimeout = 1 << 17,              // DT
    UpstreamProtocolError = 1 << 18,        // UPE
    NoClusterFound = 1 << 19,               // NC
}

internal static class ResponseFlagsText
{
    private static readonly string[] Codes =
        ["LH", "UH", "UT", "LR", "UR", "UF", "UC", "UO", "NR", "DI", "FI", "RL", "DC", "URX", "SI", "DPE", "UMSDR", "DT", "UPE", "NC"];

    private static readonly ConcurrentDictionary<ResponseFlags, string> Rendered = new();

    /// <summary>"-" for none, else Envoy's short codes joined by ","; each combination is built once and cached.</summary>
    public static string ToEnvoyString(this ResponseFlags flags) => flags == ResponseFlags.None
        ? "-"
        : Rendered.GetOrAdd(flags, static f =>
        {
            var parts = new List<string>();
            for (var bit = 0; bit < Codes.Length; bit++)
            {
                if (((int)f & (1 << bit)) != 0)
                {
                    parts.Add(Codes[bit]);
                }
            }

            return string.Join(',', parts);
        });

    /// <summary>
    /// The reason the proxy gives in <c>x-waylay-proxy-error</c> on an answer of its own (linkerd's <c>l5d-proxy-error</c>),
    /// the same on the HTTP/1 and the h2 path.
    /// </summary>
    public static string ProxyErrorCode(this ResponseFlags flag) => flag switch
    {
        ResponseFlags.NoRouteFound => "no-route",
        ResponseFlags.NoClusterFound => "no-cluster",
        ResponseFlags.NoHealthyUpstream => "no-healthy-upstream",
        ResponseFlags.UpstreamConnectionFailure => "upstream-connect-failure",
        ResponseFlags.UpstreamRequestTimeout => "upstream-timeout",
        ResponseFlags.UpstreamOverflow => "upstream-overflow",
        ResponseFlags.UpstreamConnectionTermination => "upstream-reset-before-response",
        ResponseFlags.FaultInjected => "fault-abort",
        _ => flag.ToEnvoyString(),
    };
}
