using Waylay.Proxy.Http.Http1;

namespace Waylay.Proxy.Http.Headers;

/// <summary>An HTTP/1 head's fields as the trace reader sees them, straight from the head's buffer.</summary>
internal readonly struct Http1TraceFields(Http1Head head) : ITraceFields
{
    public bool HasField(ReadOnlySpan<byte> lowerCaseName) => head.HasField(lowerCaseName);

    public ReadOnlySpan<byte> First(ReadOnlySpan<byte> lowerCaseName, out bool present) => IncomingTrace.Find(head, lowerCaseName, out present);
}
