namespace Waylay.Proxy.Telemetry;

/// <summary>Upstream counters of one service (or "passthrough" / "inbound"); updated with Interlocked, read by scrapes.</summary>
internal sealed class ServiceCounters(string service)
{
    public long Total;
    public long Active;
    public long ConnectFailures;
    public long ConnectTimeouts;
    public long NoHealthyEndpoint;
    public long BytesSent;
    public long BytesReceived;

    public string Service { get; } = service;
}
