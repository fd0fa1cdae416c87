using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Waylay.Proxy.Http.Headers;

/// <summary>
/// The fields the proxy adds to one forwarded request, held inline (no array per request) and handed to
/// <c>Http1HeadWriter.WriteRequest</c> as <see cref="Fields"/>. Keep it in a local: <see cref="Fields"/> points into it.
/// </summary>
public struct ProxyFields
{
    public const int Capacity = 10;

    private FieldBuffer _buffer;
    private int _count;

    /// <summary>The request id the proxy created because the request had none; null when the request brought its own.</summary>
    public string? GeneratedRequestId { get; internal set; }

    /// <summary>The value appended to <c>x-forwarded-for</c>, null when nothing was appended.</summary>
    public string? AppendedForwardedFor { get; internal set; }

    /// <summary>This hop's span; null when the request is not traced (malformed B3, as Envoy).</summary>
    public TraceContext? Trace { get; internal set; }

    /// <summary>An inbound span that reuses the caller's span id (Envoy's shared span context): Zipkin's <c>shared</c>.</summary>
    public bool SharesCallerSpan { get; internal set; }

    /// <summary>
    /// Whether received trace fields must be hidden because <see cref="Fields"/> carries their new values: then write the
    /// head with <see cref="TraceFieldMask.For"/> of the route's edits instead of the edits themselves.
    /// </summary>
    public bool ReplacesReceived { get; internal set; }

    public readonly int Count => _count;

    [UnscopedRef]
    public ReadOnlySpan<KeyValuePair<string, string>> Fields => ((ReadOnlySpan<KeyValuePair<string, string>>)_buffer)[.._count];

    internal void Add(string name, string value)
    {
        // Code, not input (constant names, values formatted here): checked in debug builds, not per request.
        Debug.Assert(value.AsSpan().IndexOfAny('\r', '\n', '\0') < 0 && name.Length > 0 && !name.AsSpan().ContainsAny(" :\r\n"), $"invalid proxy field '{name}'");
        _buffer[_count++] = new(name, value);
    }

    [InlineArray(Capacity)]
    private struct FieldBuffer
    {
        private KeyValuePair<string, string> _first;
    }
}
