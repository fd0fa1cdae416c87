using Waylay.Proxy.Connections;

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

    /// <summary>A connection to the service starts being served (TCP relay or HTTP alike).</summary>
    public void Opened()
    {
        Interlocked.Increment(ref Total);
        Interlocked.Increment(ref Active);
    }

    /// <summary>It ended: its bytes counted, as the connection's context tallied them.</summary>
    public void Closed(ConnectionContext connection)
    {
        Interlocked.Add(ref BytesSent, connection.BytesToUpstream);
        Interlocked.Add(ref BytesReceived, connection.BytesToDownstream);
        Interlocked.Decrement(ref Active);
    }
}
