using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;

namespace Waylay.Proxy.Http.Headers;

/// <summary>
/// The fields the proxy adds to one forwarded request, held inline (no array per request). Ids are kept as numbers
/// (<see cref="Trace"/>, the request id's halves) with a <see cref="ProxyFieldKind"/> per field, and formatted only
/// where they are wanted: <c>Http1HeadWriter.WriteRequest(…, in ProxyFields, …)</c> writes them straight into the head's
/// bytes (nothing allocated per request); <see cref="Value"/> makes the same text as a string (h2, logs, tests).
/// </summary>
internal partial struct ProxyFields
{
    public const int Capacity = 10;

    private FieldBuffer _buffer;
    private int _count;
    private ulong _requestIdHigh;
    private ulong _requestIdLow;
    private bool _generatedRequestId;

    /// <summary>
    /// The request id the proxy created because the request had none, formatted on each call (only the access log and
    /// Zipkin ask); null when the request brought its own.
    /// </summary>
    public readonly string? GeneratedRequestId => _generatedRequestId ? Latin1(ProxyFieldKind.RequestId) : null;

    /// <summary>The value appended to <c>x-forwarded-for</c>, null when nothing was appended.</summary>
    public string? AppendedForwardedFor { get; internal set; }

    /// <summary>This hop's span; null when the request is not traced (malformed B3, as Envoy).</summary>
    public TraceContext? Trace { get; internal set; }

    /// <summary>An inbound span that reuses the caller's span id (Envoy's shared span context): Zipkin's <c>shared</c>.</summary>
    public bool SharesCallerSpan { get; internal set; }

    /// <summary>
    /// Whether received trace fields must be hidden because these fields carry their new values: then write the
    /// head with <see cref="TraceFieldMask.For"/> of the route's edits instead of the edits themselves.
    /// </summary>
    public bool ReplacesReceived { get; internal set; }

    public readonly int Count => _count;

    public readonly string Name(int index) => Entry(index).Name;

    public readonly ProxyFieldKind Kind(int index) => Entry(index).Kind;

    /// <summary>The value as text, formatted now for an id: the very bytes the HTTP/1 writer sends, as a string.</summary>
    public readonly string Value(int index)
    {
        var entry = Entry(index);
        return entry.Text ?? Latin1(entry.Kind);
    }

    /// <summary>The value when it is kept as a string; null when it is formatted (<see cref="FormatValue"/>).</summary>
    internal readonly string? Text(int index) => Entry(index).Text;

    internal void Add(string name, string value)
    {
        // Code, not input (constant names, values formatted here): checked in debug builds, not per request.
        Debug.Assert(value.AsSpan().IndexOfAny('\r', '\n', '\0') < 0, $"invalid proxy field value '{name}: {value}'");
        Append(name, value, ProxyFieldKind.Text);
    }

    /// <summary>A field whose value is formatted from <see cref="Trace"/> (set first) when it is written.</summary>
    internal void Add(string name, ProxyFieldKind kind)
    {
        Debug.Assert(kind is not (ProxyFieldKind.Text or ProxyFieldKind.RequestId) && Trace is not null, $"proxy field '{name}' needs a trace");
        Append(name, null, kind);
    }

    /// <summary>The generated <c>x-request-id</c>, kept as its two halves (version and variant bits already set).</summary>
    internal void AddRequestId(string name, ulong high, ulong low)
    {
        _requestIdHigh = high;
        _requestIdLow = low;
        _generatedRequestId = true;
        Append(name, null, ProxyFieldKind.RequestId);
    }

    private void Append(string name, string? text, ProxyFieldKind kind)
    {
        Debug.Assert(name.Length > 0 && !name.AsSpan().ContainsAny(" :\r\n"), $"invalid proxy field name '{name}'");
        _buffer[_count++] = new Field(name, text, kind);
    }

    private readonly Field Entry(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
        return _buffer[index];
    }

    private readonly string Latin1(ProxyFieldKind kind)
    {
        Span<byte> bytes = stackalloc byte[MaxFormattedLength];
        return Encoding.Latin1.GetString(bytes[..Format(kind, bytes)]);
    }

    private readonly record struct Field(string Name, string? Text, ProxyFieldKind Kind);

    [InlineArray(Capacity)]
    private struct FieldBuffer
    {
        private Field _first;
    }
}
