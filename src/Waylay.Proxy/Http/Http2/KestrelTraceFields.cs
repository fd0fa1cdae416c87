using System.Text;
using Microsoft.AspNetCore.Http;
using Waylay.Proxy.Http.Headers;

namespace Waylay.Proxy.Http.Http2;

/// <summary>
/// Kestrel's request headers as the trace reader reads them: names looked up as given, the first value of a field as
/// its Latin-1 bytes (HPACK carries octets; Kestrel decoded them as Latin-1). Only fields that are present cost an
/// allocation, and a request rarely carries more than a handful of trace fields.
/// </summary>
internal sealed class KestrelTraceFields(IHeaderDictionary headers) : ITraceFields
{
    public bool HasField(ReadOnlySpan<byte> lowerCaseName) => headers.ContainsKey(Encoding.ASCII.GetString(lowerCaseName));

    public ReadOnlySpan<byte> First(ReadOnlySpan<byte> lowerCaseName, out bool present)
    {
        if (headers.TryGetValue(Encoding.ASCII.GetString(lowerCaseName), out var values) && values.Count > 0 && values[0] is { } first)
        {
            present = true;
            return Encoding.Latin1.GetBytes(first.Trim());
        }

        present = false;
        return default;
    }
}
