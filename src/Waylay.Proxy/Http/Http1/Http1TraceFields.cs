using Waylay.Proxy.Http.Headers;

namespace Waylay.Proxy.Http.Http1;

/// <summary>
/// An HTTP/1 head's fields as the trace reader sees them, straight from the head's buffer (a struct: nothing
/// allocated). It lives with the codec, as h2's <c>KestrelTraceFields</c> does, so that <c>Http.Headers</c> (what the
/// proxy reads and writes) knows no codec and HTTP/1 depends on it, not the other way round.
/// </summary>
internal readonly struct Http1TraceFields(Http1Head head) : ITraceFields
{
    public bool HasField(ReadOnlySpan<byte> lowerCaseName) => head.HasField(lowerCaseName);

    /// <summary>The first line of a field, trimmed; empty when absent.</summary>
    public ReadOnlySpan<byte> First(ReadOnlySpan<byte> lowerCaseName, out bool present)
    {
        for (var i = 0; i < head.FieldCount; i++)
        {
            if (System.Text.Ascii.EqualsIgnoreCase(head.FieldName(i), lowerCaseName))
            {
                present = true;
                return head.FieldValue(i);
            }
        }

        present = false;
        return default;
    }
}
