namespace Waylay.Proxy.Http.Headers;

/// <summary>
/// The request fields <see cref="RequestDecorator"/> and <see cref="IncomingTrace"/> read, as bytes. A real seam: the
/// HTTP/1 head implements it over its own buffer (<c>Http1.Http1TraceFields</c>, a struct: nothing allocated), the h2
/// path over Kestrel's header dictionary.
/// </summary>
internal interface ITraceFields
{
    bool HasField(ReadOnlySpan<byte> lowerCaseName);

    /// <summary>The first line of the field, trimmed; empty with <paramref name="present"/> false when absent.</summary>
    ReadOnlySpan<byte> First(ReadOnlySpan<byte> lowerCaseName, out bool present);
}
