namespace Waylay.Proxy.Http.Http1;

/// <summary>
/// Size limits of the HTTP/1 parser. The defaults are Envoy's: a 60 KiB head (<c>max_request_headers_kb</c>) and
/// 100 fields (<c>max_headers_count</c>); chunk lines and trailers get bounds of their own so that neither chunk
/// extensions nor trailers can make the proxy buffer without limit.
/// </summary>
internal sealed record Http1Limits(int MaxHeadBytes = 60 * 1024, int MaxFields = 100, int MaxChunkLineBytes = 4096, int MaxTrailerBytes = 16 * 1024)
{
    /// <summary>A field's offsets into its head are 16-bit (<see cref="Http1HeaderField"/>): no head may be larger than that.</summary>
    public int MaxHeadBytes { get; } = MaxHeadBytes is > 0 and <= ushort.MaxValue
        ? MaxHeadBytes
        : throw new ArgumentOutOfRangeException(nameof(MaxHeadBytes), MaxHeadBytes, "an HTTP/1 head is at most 65535 bytes here (field offsets are 16-bit)");

    public static Http1Limits Default { get; } = new();
}
