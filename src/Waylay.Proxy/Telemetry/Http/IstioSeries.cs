using System.Runtime.CompilerServices;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy.Telemetry.Http;

/// <summary>The per-request part of a request series' identity; the interned <see cref="IstioLabels"/> compared by reference.</summary>
internal readonly record struct RequestKey(IstioLabels Labels, int ResponseCode, ResponseFlags Flags, int GrpcStatus)
{
    public bool Equals(RequestKey other) => ReferenceEquals(Labels, other.Labels) && ResponseCode == other.ResponseCode
        && Flags == other.Flags && GrpcStatus == other.GrpcStatus;

    public override int GetHashCode() => HashCode.Combine(RuntimeHelpers.GetHashCode(Labels), ResponseCode, Flags, GrpcStatus);
}

internal readonly record struct TcpKey(IstioLabels Labels, ResponseFlags Flags)
{
    public bool Equals(TcpKey other) => ReferenceEquals(Labels, other.Labels) && Flags == other.Flags;

    public override int GetHashCode() => HashCode.Combine(RuntimeHelpers.GetHashCode(Labels), Flags);
}

/// <summary>One label combination of the request metrics; its label text is rendered once, when it is first seen.</summary>
internal sealed class RequestSeries(IstioMetrics owner, RequestKey key, string labelText)
{
    public IstioMetrics Owner { get; } = owner;

    public RequestKey Key { get; } = key;

    public string LabelText { get; } = labelText;

    /// <summary>Every request records a duration: the count is that histogram's (one shared counter less per request).</summary>
    public long Requests => Duration.Count;

    public Histogram Duration { get; } = new(Histogram.IstioDefault);

    public Histogram RequestBytes { get; } = new(Histogram.IstioDefault);

    public Histogram ResponseBytes { get; } = new(Histogram.IstioDefault);

    public void Record(double durationMs, long requestBytes, long responseBytes)
    {
        Duration.Record(durationMs);
        RequestBytes.Record(requestBytes);
        ResponseBytes.Record(responseBytes);
    }
}

internal sealed class TcpSeries(string labelText)
{
    private long _opened;
    private long _closed;
    private long _sent;
    private long _received;

    public string LabelText { get; } = labelText;

    public long Opened => Volatile.Read(ref _opened);

    public long Closed => Volatile.Read(ref _closed);

    public long Sent => Volatile.Read(ref _sent);

    public long Received => Volatile.Read(ref _received);

    public void Open() => Interlocked.Increment(ref _opened);

    public void Close() => Interlocked.Increment(ref _closed);

    /// <summary>Whether bytes were ever reported for the series (a report of zero bytes counts).</summary>
    public bool HasBytes { get; private set; }

    public void AddBytes(long sent, long received)
    {
        HasBytes = true;
        Interlocked.Add(ref _sent, sent);
        Interlocked.Add(ref _received, received);
    }
}
